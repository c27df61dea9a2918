import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory under the OS temp dir; tests write real files there. */
export function tempDir(prefix = 'tradetrace-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

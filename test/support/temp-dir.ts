import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';

/** A fresh directory in this run's temp root (see temp-root.ts); tests write real files there. */
export function tempDir(prefix = 'tradetrace-test-'): string {
  return mkdtempSync(join(inject('tempRoot'), prefix));
}

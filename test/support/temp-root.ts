import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder every test's tempDir() is made in; removed when the run ends. */
    tempRoot: string;
  }
}

/**
 * Vitest global setup: one folder under the OS temp dir per `npm test`, removed at the end, so
 * repeated runs do not fill /tmp with thousands of data dirs. TRADETRACE_KEEP_TEST_DIRS=1 keeps it
 * (its path is printed) to look at what a failing test wrote.
 */
export default function setup(project: TestProject): () => void {
  const root = mkdtempSync(join(tmpdir(), 'tradetrace-tests-'));
  // Passable by other users, as /tmp itself is: permission tests run a child as nobody that must
  // reach its own folder (each test's folder inside stays private, 0700, as mkdtemp makes it).
  chmodSync(root, 0o711);
  project.provide('tempRoot', root);
  return () => {
    if (process.env['TRADETRACE_KEEP_TEST_DIRS'] === '1') {
      process.stdout.write(`test data dirs kept in ${root}\n`);
      return;
    }
    try {
      rmSync(root, { recursive: true, force: true });
    } catch (error) {
      process.stderr.write(`could not remove the test data dirs in ${root}: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  };
}

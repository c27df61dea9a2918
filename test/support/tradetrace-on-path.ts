import { chmodSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { tempDir } from './temp-dir.js';

const ENTRY = resolve(import.meta.dirname, '../../src/cli/entry.ts');
let path: string | undefined;

/**
 * A PATH on which `tradetrace` runs this checkout (as after `npm link`), then the test's own PATH:
 * an operator's, for whom the queries print their follow-up commands as plain `tradetrace ...`. A
 * newcomer with no `tradetrace` on PATH gets them runnable otherwise (src/cli/runnable-commands.ts).
 */
export function pathWithTradetrace(): string {
  if (path === undefined) {
    const bin = tempDir('tradetrace-on-path-');
    const shim = join(bin, 'tradetrace');
    writeFileSync(shim, `#!/bin/sh\nexec '${process.execPath}' --import tsx '${ENTRY}' "$@"\n`);
    chmodSync(shim, 0o755);
    path = [bin, process.env['PATH'] ?? ''].join(delimiter);
  }
  return path;
}

import type { CliIo } from '../command.js';

// Placeholder until its issue lands; exits 2 so nothing mistakes it for a working command.
export function run(_args: readonly string[], io: CliIo): Promise<number> {
  io.stderr.write('tradetrace demo: not built yet\n');
  return Promise.resolve(2);
}

import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { pathWithTradetrace } from './tradetrace-on-path.js';

export interface QueryResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `tradetrace <args>` in this process (no tsx startup per call), capturing its output; as an
 * operator with `tradetrace` on PATH (see pathWithTradetrace) unless `env` gives a PATH.
 */
export async function runQuery(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; tty?: boolean } = {}): Promise<QueryResult> {
  let stdout = '';
  let stderr = '';
  const out = Object.assign(
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        stdout += chunk.toString();
        callback();
      },
    }),
    { isTTY: options.tty ?? false },
  );
  const err = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      stderr += chunk.toString();
      callback();
    },
  });
  const code = await main([...args], { stdout: out, stderr: err, env: { PATH: pathWithTradetrace(), ...options.env }, cwd: options.cwd ?? process.cwd() });
  return { code, stdout, stderr };
}

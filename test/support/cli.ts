import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { pathWithTradetrace } from './tradetrace-on-path.js';

export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');
const TSX = resolve(PROJECT_ROOT, 'node_modules/.bin/tsx');
const MAIN = resolve(PROJECT_ROOT, 'src/cli/entry.ts');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawns `tradetrace <args>` from source (through tsx), as a user with `tradetrace` on PATH would run it (see pathWithTradetrace). */
export function spawnCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ChildProcess {
  return spawn(TSX, [MAIN, ...args], {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: { ...process.env, PATH: pathWithTradetrace(), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Spawns `tradetrace <args>` from source in one node process (tsx as its loader), for a test that
 * signals it: the signal reaches the CLI itself. The tsx binary relays a signal to the node process
 * it starts, but when that process has not acknowledged it within 2 x 30 ms (a loaded machine) it
 * SIGKILLs it and exits 130 itself, whatever the CLI would have done.
 */
export function spawnCliInOneProcess(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: { ...process.env, PATH: pathWithTradetrace(), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs `tradetrace <args>` to completion and collects its output. */
export function runCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawnCli(args, options);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

// Test helper: runs a TypeScript fixture in a plain `node --import tsx` process (one process, so
// a signal sent to it reaches the code that writes, unlike the tsx CLI which forks a child).
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { resolve } from 'node:path';

export function fixturePath(name: string): string {
  return resolve(import.meta.dirname, name);
}

export function spawnFixture(name: string, args: readonly string[], options: { uid?: number; gid?: number } = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', fixturePath(name), ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

export function runFixture(name: string, args: readonly string[], options: { uid?: number; gid?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['--import', 'tsx', fixturePath(name), ...args], { encoding: 'utf8', timeout: 60_000, ...options });
}

/** Resolves with the exit code (or signal) once the child is gone. */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal }));
  });
}

// The runtime layer as it ships: compiled to JavaScript (as `npm run build` does, with source maps),
// run by plain node. Proves the watchdog's .js worker path and DASH_EVENT's source-mapped file:line.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { readLog, runChild } from './fixtures/child-run.js';

const ROOT = resolve(import.meta.dirname, '../..');
let outDir = '';

beforeAll(() => {
  // Inside the project (under the git-ignored .tmp/) so the compiled bus finds the project root,
  // and a fresh folder so parallel runs and other builds never share files.
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  outDir = mkdtempSync(join(ROOT, '.tmp', 'runtime-build-'));
  const files = ['src/runtime/fixtures/dash-child.ts', 'src/runtime/fixtures/shutdown-child.ts', 'src/runtime/heartbeat-worker.ts'];
  const options = ['--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--lib', 'es2023', '--types', 'node', '--strict', '--skipLibCheck', '--sourceMap', '--rootDir', 'src', '--outDir', outDir];
  const build = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), ...options, ...files], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`tsc failed:\n${build.stdout}${build.stderr}`);
}, 180_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe('compiled runtime', () => {
  it('DASH_EVENT names the TypeScript file:line through source maps, enabled as bin/tradetrace.js does', () => {
    const logs = join(tempDir('tradetrace-dash-'), 'logs');
    const child = pathToFileURL(join(outDir, 'runtime/fixtures/dash-child.js')).href;
    const script = `process.setSourceMapsEnabled(true); process.argv.splice(1, 0, 'dash-child'); await import(${JSON.stringify(child)});`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script, logs], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(readLog(logs, 'dashboard').map((l) => l['source'])).toEqual(Array(3).fill('src/runtime/fixtures/dash-child.ts:12'));
  });

  it('without source maps enabled, names the compiled file honestly rather than guessing', () => {
    const logs = join(tempDir('tradetrace-dash-'), 'logs');
    const run = spawnSync(process.execPath, [join(outDir, 'runtime/fixtures/dash-child.js'), logs], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const source = String(readLog(logs, 'dashboard')[0]?.['source']);
    expect(source).toMatch(/^\.tmp\/runtime-build-[^/]+\/runtime\/fixtures\/dash-child\.js:\d+$/);
  });

  it('starts the watchdog from the compiled worker and reports the blocked main thread', async () => {
    const logs = join(tempDir('tradetrace-runtime-'), 'logs');
    const result = await runChild(join(outDir, 'runtime/fixtures/shutdown-child.js'), [logs, 'block']).exited;
    expect(result.code, result.stderr).toBe(0);
    const beats = readLog(logs, 'system').filter((l) => l['event_type'] === 'SHUTDOWN_HEARTBEAT' && l['trigger'] === 'interval');
    const stalled = beats.filter((l) => Number(l['event_loop_blocked_ms']) > 0 && (l['registered_threads'] as { alive: boolean }[]).every((t) => !t.alive));
    expect(stalled.length).toBeGreaterThanOrEqual(3);
  });
});

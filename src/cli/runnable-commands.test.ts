import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../test/support/cli.js';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { writeNoTrades } from '../investigate/testing/incidents.js';
import { runnableCommands, runnableTraceCommands, tradetraceOnPath } from './runnable-commands.js';

const SUMMARY = 'trace a decision of this session:\n  tradetrace trace dec_20261127_101800_02879b --data-dir data\n';
/** An executable `tradetrace` in `dir/node_modules/.bin`, linked to its package's bin as npm installs it; returns that .bin folder. */
function installedBin(dir: string): string {
  const pkgBin = join(dir, 'node_modules', 'tradetrace', 'bin');
  const bin = join(dir, 'node_modules', '.bin');
  mkdirSync(pkgBin, { recursive: true });
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(pkgBin, 'tradetrace.js'), '#!/usr/bin/env node\n');
  chmodSync(join(pkgBin, 'tradetrace.js'), 0o755);
  symlinkSync('../tradetrace/bin/tradetrace.js', join(bin, 'tradetrace'));
  return bin;
}

/** What npx sets for the command it runs (libnpmexec runs it as the `npx` script of an `exec`). */
const NPX_ENV = { npm_command: 'exec', npm_lifecycle_event: 'npx' };

const NONE = 'no decision reached an order this session; trace any decision id from data/logs/decisions.jsonl with tradetrace trace <decision_id>\n';

describe('runnableTraceCommands', () => {
  it('prefixes npx when no tradetrace is on PATH (a fresh checkout run through npm start)', () => {
    const env = { PATH: tempDir('tradetrace-path-empty-') };
    expect(tradetraceOnPath(env)).toBe(false);
    expect(runnableTraceCommands(SUMMARY, env)).toBe('trace a decision of this session:\n  npx tradetrace trace dec_20261127_101800_02879b --data-dir data\n');
    expect(runnableTraceCommands(NONE, env)).toContain('with npx tradetrace trace <decision_id>');
  });

  it('leaves the command as it is when an executable tradetrace is on PATH (npm link, global install)', () => {
    const dir = tempDir('tradetrace-path-bin-');
    const bin = join(dir, 'tradetrace');
    writeFileSync(bin, '#!/bin/sh\n');
    chmodSync(bin, 0o755);
    const env = { PATH: `${tempDir('tradetrace-path-other-')}:${dir}` };
    expect(tradetraceOnPath(env)).toBe(true);
    expect(runnableTraceCommands(SUMMARY, env)).toBe(SUMMARY);
  });

  it('does not count a tradetrace file that is not executable', () => {
    const dir = tempDir('tradetrace-path-noexec-');
    writeFileSync(join(dir, 'tradetrace'), 'not a program');
    chmodSync(join(dir, 'tradetrace'), 0o644);
    expect(tradetraceOnPath({ PATH: dir })).toBe(false);
  });

  it('prefixes npx under npx, whose PATH starts with its cache folder holding a tradetrace link that exists only for that command', () => {
    // PATH as npx builds it: its cache's .bin, then node_modules/.bin of the project and every folder above, then the shell's PATH.
    const npxBin = installedBin(join(tempDir('tradetrace-npm-cache-'), '_npx', '0123456789abcdef'));
    const project = tempDir('tradetrace-checkout-');
    const shellPath = tempDir('tradetrace-path-other-');
    const env = { ...NPX_ENV, PATH: [npxBin, join(project, 'node_modules', '.bin'), join(project, '..', 'node_modules', '.bin'), shellPath].join(':') };
    expect(tradetraceOnPath(env)).toBe(false);
    expect(runnableTraceCommands(SUMMARY, env)).toBe('trace a decision of this session:\n  npx tradetrace trace dec_20261127_101800_02879b --data-dir data\n');
    // The cache folder is npx's whoever reads the env: no shell has it on PATH.
    expect(tradetraceOnPath({ PATH: env.PATH })).toBe(false);
  });

  it("does not count a project's node_modules/.bin that npm run or npx put first on PATH, but does count the user's own PATH after it", () => {
    // tradetrace installed as a dependency of the user's project, run through one of its npm scripts.
    const projectBin = installedBin(tempDir('tradetrace-dependent-'));
    const env = { npm_command: 'run-script', npm_lifecycle_event: 'replay', PATH: `${projectBin}:${tempDir('tradetrace-path-other-')}` };
    expect(tradetraceOnPath(env)).toBe(false);
    expect(runnableTraceCommands(SUMMARY, env)).toContain('  npx tradetrace trace dec_');

    const globalBin = tempDir('tradetrace-path-global-');
    writeFileSync(join(globalBin, 'tradetrace'), '#!/bin/sh\n');
    chmodSync(join(globalBin, 'tradetrace'), 0o755);
    expect(tradetraceOnPath({ ...NPX_ENV, PATH: `${projectBin}:${globalBin}` })).toBe(true);
    // Outside npm, a node_modules/.bin on PATH is the user's own (a shell profile, direnv): their shell finds it too.
    expect(tradetraceOnPath({ PATH: projectBin })).toBe(true);
  });
});

describe('runnableTraceCommands outside the package folder', () => {
  it('names the bin by its path, not `npx tradetrace` (which would look the name up in the npm registry), and the line runs from there', () => {
    const elsewhere = tempDir('tradetrace-elsewhere-');
    const env = { PATH: tempDir('tradetrace-path-empty-') };
    const root = join(import.meta.dirname, '../..');
    const printed = runnableTraceCommands(SUMMARY, env, elsewhere);
    expect(printed).toBe(`trace a decision of this session:\n  node ${join(root, 'bin', 'tradetrace.js')} trace dec_20261127_101800_02879b --data-dir data\n`);
    // Inside the package (or a folder of it), npx finds this package's own bin.
    expect(runnableTraceCommands(SUMMARY, env, join(root, 'docs'))).toContain('  npx tradetrace trace ');
    // A path a shell would split is quoted; a `$` in it stays a `$`.
    expect(runnableTraceCommands(SUMMARY, env, elsewhere, '/opt/my $bot')).toContain("  node '/opt/my $bot/bin/tradetrace.js' trace ");
    const line = printed.split('\n')[1]?.trim() ?? '';
    const run = spawnSync('sh', ['-c', line], { cwd: elsewhere, encoding: 'utf8', env: { ...process.env, PATH: process.env['PATH'] ?? '' } });
    // It ran tradetrace (which reports the missing data dir), not a shell's "not found".
    expect(run.stderr).not.toMatch(/not found|No such file or directory.*tradetrace\.js|Cannot find module/);
    expect(run.stderr).toMatch(/^tradetrace trace: no log files in /);
  });
});

describe('the queries print their follow-up commands runnable', () => {
  const dataDir = tempDir('tradetrace-runnable-why-');
  writeNoTrades(dataDir);
  const newcomer = { PATH: tempDir('tradetrace-path-empty-') };

  it('suggestions only: not the name of the program that speaks, nor a path or word that merely contains it', () => {
    const text = [
      'next: tradetrace trace dec_1 --data-dir d',
      'see it with `tradetrace orders --intent int_1`; (tradetrace health --session s)',
      "tradetrace why: no log files in /tmp/tradetrace-bench/logs; run 'tradetrace paper' first",
      'tradetrace-bench tradetrace traces tradetrace',
    ].join('\n');
    expect(runnableCommands(text, 'npx tradetrace')).toBe(
      [
        'next: npx tradetrace trace dec_1 --data-dir d',
        'see it with `npx tradetrace orders --intent int_1`; (npx tradetrace health --session s)',
        "tradetrace why: no log files in /tmp/tradetrace-bench/logs; run 'npx tradetrace paper' first",
        'tradetrace-bench tradetrace traces tradetrace',
      ].join('\n'),
    );
    expect(runnableCommands(text, undefined)).toBe(text);
  });

  it("why's next command reads `npx tradetrace trace ...` in the checkout when no tradetrace is on PATH, as the paper summary's does", async () => {
    const r = await runQuery(['why', '--data-dir', dataDir], { env: newcomer, cwd: PROJECT_ROOT });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\nnext: npx tradetrace trace dec_\w+ --data-dir \S+\n$/);
    // Elsewhere, npx would look the name up in the registry: the bin by its path.
    const away = await runQuery(['why', '--data-dir', dataDir], { env: newcomer, cwd: tempDir('tradetrace-elsewhere-') });
    expect(away.stdout).toContain(`\nnext: node ${join(PROJECT_ROOT, 'bin', 'tradetrace.js')} trace dec_`);
  });

  it('leaves them as they are for an operator with tradetrace on PATH, and in --json', async () => {
    const onPath = await runQuery(['why', '--data-dir', dataDir], { cwd: PROJECT_ROOT });
    expect(onPath.stdout).toMatch(/\nnext: tradetrace trace dec_\w+/);
    const json = await runQuery(['why', '--data-dir', dataDir, '--json'], { env: newcomer, cwd: PROJECT_ROOT });
    expect(json.stdout).not.toContain('npx');
    expect(() => JSON.parse(json.stdout) as unknown).not.toThrow();
  });
});

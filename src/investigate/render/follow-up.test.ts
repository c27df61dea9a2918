import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../../test/support/run-query.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { writeNoTrades, writeRefusedWhileRunning } from '../testing/incidents.js';

// The follow-up commands the queries print, pasted into a real shell as printed: with a --data-dir
// that needs quoting, each must name it, as one word, and run.

const AWKWARD = "with space/it's dä tä ✓";

/** The arguments a real POSIX shell makes of a printed command line. */
function shellArgs(command: string): string[] {
  return execFileSync('sh', ['-c', `printf '%s\\0' ${command}`], { encoding: 'utf8' }).split('\0').slice(0, -1);
}

/** Runs a printed `tradetrace ...` command as the shell would split it, from another directory. */
async function runPrinted(command: string, elsewhere: string) {
  const [program, ...args] = shellArgs(command);
  expect(program).toBe('tradetrace');
  return runQuery(args, { cwd: elsewhere });
}

describe('follow-up commands name a --data-dir the operator gave', () => {
  const root = tempDir('tt-follow-');
  const dir = join(root, AWKWARD);
  mkdirSync(dir, { recursive: true });
  const facts = writeNoTrades(dir);
  const elsewhere = tempDir('tt-follow-cwd-');

  it("why's next trace command carries the data directory, quoted, and runs as printed", async () => {
    const r = await runQuery(['why', '--data-dir', dir], { cwd: elsewhere });
    expect(r.code).toBe(0);
    const next = /\nnext: (.*)\n$/.exec(r.stdout)?.[1] ?? '';
    expect(next).toBe(`tradetrace trace ${facts.maxOpen[3]} --data-dir '${root}/with space/it'\\''s dä tä ✓'`);
    const traced = await runPrinted(next, elsewhere);
    expect([traced.code, traced.stderr]).toEqual([0, '']);
    expect(traced.stdout).toContain(`decision ${facts.maxOpen[3]}`);
  });

  it("why's hints when nothing matched carry it too", async () => {
    const r = await runQuery(['why', '--data-dir', dir, '--until', '2025-10-26T10:00:30Z'], { cwd: elsewhere });
    expect(r.code).toBe(1);
    const commands = [...r.stdout.matchAll(/(tradetrace (?:sessions|health) --data-dir '[^']*(?:'\\''[^']*)*')/g)].map((m) => m[1] ?? '');
    expect(commands.map((c) => shellArgs(c))).toEqual([['tradetrace', 'sessions', '--data-dir', dir], ['tradetrace', 'health', '--data-dir', dir]]);
  });

  it('a relative --data-dir is printed absolute, so the command runs from any directory', async () => {
    const r = await runQuery(['why', '--data-dir', AWKWARD], { cwd: root });
    const next = /\nnext: (.*)\n$/.exec(r.stdout)?.[1] ?? '';
    expect(shellArgs(next).slice(-2)).toEqual(['--data-dir', dir]);
    expect((await runPrinted(next, elsewhere)).code).toBe(0);
  });

  it('without --data-dir (TRADETRACE_DATA_DIR or ./data chose it) the commands stay short: the same choice is made again', async () => {
    const fromEnv = await runQuery(['why'], { cwd: elsewhere, env: { TRADETRACE_DATA_DIR: dir } });
    expect(fromEnv.stdout).toMatch(/\nnext: tradetrace trace dec_\w+\n$/);
    const defaulted = tempDir('tt-follow-default-');
    writeNoTrades(join(defaulted, 'data'));
    const fromCwd = await runQuery(['why'], { cwd: defaulted });
    expect(fromCwd.stdout).toMatch(/\nnext: tradetrace trace dec_\w+\n$/);
  });

  it("trace's hint for an intent id carries it", async () => {
    const r = await runQuery(['trace', 'int_4f3458469624a089', '--data-dir', dir], { cwd: elsewhere });
    expect(r.code).toBe(2);
    const command = /see it with (tradetrace orders .*) \(its lines/.exec(r.stderr)?.[1] ?? '';
    expect(shellArgs(command)).toEqual(['tradetrace', 'orders', '--intent', 'int_4f3458469624a089', '--data-dir', dir]);
  });

  it("health's command for a refused later session carries it, and runs as printed", async () => {
    const refusedRoot = join(tempDir('tt-follow-refused-'), AWKWARD);
    mkdirSync(refusedRoot, { recursive: true });
    const refused = writeRefusedWhileRunning(refusedRoot, process.pid, hostname());
    const r = await runQuery(['health', '--data-dir', refusedRoot], { cwd: elsewhere });
    const command = /a later session was refused before trading: \S+.* \((tradetrace health .*)\)\n/.exec(r.stdout)?.[1] ?? '';
    expect(shellArgs(command)).toEqual(['tradetrace', 'health', '--session', refused.refused, '--data-dir', refusedRoot]);
    const again = await runPrinted(command, elsewhere);
    expect(again.stdout).toContain('REFUSED before trading');
  });
});

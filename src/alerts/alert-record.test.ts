import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { Scenario } from './fixtures/scenario.js';

const S1 = 'session_20251026_100000';

/** The arguments a real POSIX shell makes of a printed command line. */
function shellArgs(command: string): string[] {
  return execFileSync('sh', ['-c', `printf '%s\\0' ${command}`], { encoding: 'utf8' }).split('\0').slice(0, -1);
}

function fatalSession(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  const s = new Scenario(dataDir);
  s.at(0).start(S1);
  s.at(1000).heartbeat(S1);
  s.at(1500).emit(S1, 'FATAL', { origin: 'uncaughtException', error_code: 'E_BOOM', message: 'boom' });
  s.close();
}

describe('tradetrace alerts: the next command of a fired alert', () => {
  it('names the --data-dir given, quoted, so it runs as printed from another directory', async () => {
    const dataDir = join(tempDir('tt-alert-next-'), "with space/it's dä tä ✓");
    fatalSession(dataDir);
    const elsewhere = tempDir('tt-alert-cwd-');
    const r = await runQuery(['alerts', '--data-dir', dataDir, '--rules', 'fatal'], { cwd: elsewhere });
    expect(r.code).toBe(1);
    const next = /\n {4}next: (.*) {2}\(alert /.exec(`\n${r.stdout}`)?.[1] ?? '';
    expect(shellArgs(next)).toEqual(['tradetrace', 'health', '--session', S1, '--data-dir', dataDir]);
    const health = await runQuery(shellArgs(next).slice(1), { cwd: elsewhere });
    expect(health.stdout).toContain(`session ${S1}`);
    expect(health.stdout).toContain('DIED: FATAL E_BOOM: boom');
  });

  it('stays as the rule wrote it when $TRADETRACE_DATA_DIR chose the directory, and in --json', async () => {
    const dataDir = tempDir('tt-alert-env-');
    fatalSession(dataDir);
    const text = await runQuery(['alerts', '--rules', 'fatal'], { env: { TRADETRACE_DATA_DIR: dataDir } });
    expect(text.stdout).toContain(`    next: tradetrace health --session ${S1}  (alert `);
    const json = await runQuery(['alerts', '--rules', 'fatal', '--json', '--data-dir', dataDir]);
    expect(JSON.parse(json.stdout.trim().split('\n')[0] ?? '{}')).toMatchObject({ next_command: `tradetrace health --session ${S1}` });
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/support/cli.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { Scenario } from './fixtures/scenario.js';

const S1 = 'session_20251026_100000';
const S2 = 'session_20251026_110000';

function incidentLogs(): string {
  const dataDir = tempDir('tradetrace-alerts-cli-');
  const s = new Scenario(dataDir);
  s.at(0).start(S1);
  for (let i = 1; i <= 4; i++) s.at(i * 1000).heartbeat(S1);
  s.at(4500).emit(S1, 'FATAL', { origin: 'uncaughtException', error_code: 'E_BOOM', message: 'boom' });
  s.at(3_600_000).start(S2, 'bbbbbbbbbbbbbbbb');
  s.emit(S2, 'CONFIG_DIFF', { message: 'Config drift detected: aaaaaaaa -> bbbbbbbb', prev_hash: 'aaaaaaaaaaaaaaaa', current_hash: 'bbbbbbbbbbbbbbbb', prev_session: S1, changes: [] });
  s.heartbeat(S2);
  s.end(S2);
  s.close();
  return dataDir;
}

describe('tradetrace alerts (past logs)', () => {
  it('lists what would have fired and resolved, and when; exit 1 while an alert is still firing', async () => {
    const dataDir = incidentLogs();
    const result = await runCli(['alerts', '--data-dir', dataDir]);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trim().split('\n').filter((l) => !l.startsWith('    '));
    expect(lines).toEqual([
      expect.stringMatching(/^2025-10-26T10:00:04\.500Z FIRED {4}fatal \[session_20251026_100000\] critical: FATAL in session_20251026_100000/),
      expect.stringMatching(/^2025-10-26T10:00:07\.000Z FIRED {4}heartbeat_missing \[session_20251026_100000\] critical: no SHUTDOWN_HEARTBEAT/),
      expect.stringMatching(/^2025-10-26T11:00:00\.000Z FIRED {4}config_drift \[config\] warning: Config drift detected/),
      // At the restart's heartbeat (same millisecond here), once it shows it runs: a refused start
      // supersedes nothing, and clears no FATAL either.
      expect.stringMatching(/^2025-10-26T11:00:00\.000Z RESOLVED heartbeat_missing \[session_20251026_100000\] after 3593\.0 s: superseded by session session_20251026_110000: /),
      expect.stringMatching(/^2025-10-26T11:00:00\.000Z RESOLVED fatal \[session_20251026_100000\] after 3595\.5 s: bot restarted as session_20251026_110000/),
      expect.stringMatching(/lines read from .*; 3 alerts fired, 1 still firing$/),
    ]);
    expect(result.stdout).toContain('next: tradetrace drift');
    expect(result.code).toBe(1);
  });

  it('--json prints one document per transition; --since and --rules narrow it', async () => {
    const dataDir = incidentLogs();
    const result = await runCli(['alerts', '--data-dir', dataDir, '--json', '--since', '2025-10-26T10:30:00Z', '--rules', 'config_drift,fatal']);
    const docs = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(docs).toEqual([expect.objectContaining({ status: 'fired', rule: 'config_drift', subject: 'config', next_command: 'tradetrace drift', at: '2025-10-26T11:00:00.000Z' })]);
    const evidence = (docs[0]?.['evidence'] as Record<string, unknown>[])[0];
    expect(evidence).toMatchObject({ file: join(dataDir, 'logs/audit.jsonl'), event_type: 'CONFIG_DIFF', id: S2 });
  });

  it('a truncated rotated .gz is named in one line and exits 3 (not a stack trace, not exit 1 "an alert is firing")', async () => {
    const dataDir = incidentLogs();
    const rotated = join(dataDir, 'logs/system.20251026T095959000Z.jsonl.gz');
    const whole = gzipSync(readFileSync(join(dataDir, 'logs/system.jsonl')));
    writeFileSync(rotated, whole.subarray(0, Math.floor(whole.length / 2)));
    const result = await runCli(['alerts', '--data-dir', dataDir]);
    expect(result.stderr).toBe(`tradetrace alerts: cannot read ${rotated}: gzip data ends early (Z_BUF_ERROR)\n`);
    expect(result.code).toBe(3);
  });

  it('names a bad flag or value and exits 2', async () => {
    const cases: [string[], string][] = [
      [['--bogus'], "Unknown option '--bogus'"],
      [['--since', 'yesterday'], '--since "yesterday": expected a relative time like 30m'],
      [['--rules', 'fatal,nope'], '--rules "fatal,nope": expected a comma-separated list of config_drift, heartbeat_missing, order_failure_rate, fatal'],
      [['--failure-threshold', '1.5'], '--failure-threshold must be a fraction in [0, 1)'],
      [['--heartbeat-factor', 'x'], '--heartbeat-factor "x": expected a number'],
      [['--follow', '--webhook', 'ftp://x'], 'webhook url ftp://x must be http or https'],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['alerts', '--data-dir', tempDir(), ...args]);
      expect(result.stderr).toContain(message);
      expect(result.code).toBe(2);
    }
  }, 180_000);
});

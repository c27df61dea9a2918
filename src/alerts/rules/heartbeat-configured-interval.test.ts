import { describe, expect, it } from 'vitest';
import { runCli } from '../../../test/support/cli.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import type { AlertTransition } from '../alert-transition.js';
import { evaluatePastLogs } from '../evaluate-past.js';
import { Scenario, T0 } from '../fixtures/scenario.js';

const S1 = 'session_20251026_100000';

function brief(transitions: readonly AlertTransition[]): string[] {
  return transitions.map((t) => `${t.kind} ${t.rule} ${t.subject} +${(t.at - T0) / 1000}s`);
}

/**
 * A session started as the bot starts one: CONFIG_HASH (its effective config, durations as text, as
 * the bot logs them) before SESSION_START.
 */
function configuredStart(s: Scenario, session: string, runtime: Record<string, unknown>, alerts: Record<string, unknown> = {}): Scenario {
  const hash = 'cccccccccccccccc';
  s.emit(session, 'CONFIG_HASH', {
    config_hash: hash,
    config: { runtime: { heartbeat_interval: '30s', stall_multiple: 3, ...runtime }, alerts: { heartbeat_missing_multiple: 3, ...alerts } },
  });
  return s.emit(session, 'SESSION_START', { mode: 'paper', version: '0.1.0', pid: 999_999, host: 'test-host', data_dir: '/tmp/x', config_hash: hash });
}

describe('heartbeat_missing judges a session by the heartbeat interval its own config set (runtime.heartbeat_interval)', () => {
  it('fires 3 x 5 s after the last heartbeat of a bot configured to beat every 5 s, after its first heartbeat (not 3 x the 30 s default)', async () => {
    const s = new Scenario(tempDir('tradetrace-alerts-cfg-'));
    configuredStart(s.at(0), S1, { heartbeat_interval: '5s' });
    s.at(5_000).heartbeat(S1);
    // Then silent (a SIGSTOP): the deadline is +5 s + 15 s. Before: +95 s, from the 30 s default.
    s.close();
    const { transitions, open } = await evaluatePastLogs(s.logsDir, { nowMs: T0 + 200_000, options: { rules: ['heartbeat_missing'] } });
    expect(brief(transitions)).toEqual([`fired heartbeat_missing ${S1} +20s`]);
    expect(open[0]?.message).toContain('for more than 15.0 s (3 x 5.0 s interval) since its last heartbeat at 2025-10-26T10:00:05.000Z');
  });

  it('before any heartbeat: a session that never beats is missing 3 x its configured interval after its start', async () => {
    const s = new Scenario(tempDir('tradetrace-alerts-cfg-'));
    configuredStart(s.at(0), S1, { heartbeat_interval: '2s' });
    s.close();
    const { transitions } = await evaluatePastLogs(s.logsDir, { nowMs: T0 + 200_000, options: { rules: ['heartbeat_missing'] } });
    expect(brief(transitions)).toEqual([`fired heartbeat_missing ${S1} +6s`]);
  });

  it('a bot that beats slower than configured (a loaded machine) is not given a later deadline than its configuration promises', async () => {
    const s = new Scenario(tempDir('tradetrace-alerts-cfg-'));
    configuredStart(s.at(0), S1, { heartbeat_interval: '5s' });
    // Gaps of 9 s: learned alone, the interval would be 9 s and the deadline 27 s after a beat.
    for (let i = 1; i <= 4; i++) s.at(i * 9_000).heartbeat(S1);
    s.close();
    const { transitions } = await evaluatePastLogs(s.logsDir, { nowMs: T0 + 200_000, options: { rules: ['heartbeat_missing'] } });
    expect(brief(transitions)).toEqual([`fired heartbeat_missing ${S1} +51s`]);
  });

  it("the session's own alerts.heartbeat_missing_multiple applies when the watcher was not given a multiple of its own", async () => {
    const build = (): string => {
      const s = new Scenario(tempDir('tradetrace-alerts-cfg-'));
      configuredStart(s.at(0), S1, { heartbeat_interval: '5s' }, { heartbeat_missing_multiple: 2 });
      s.at(5_000).heartbeat(S1);
      s.close();
      return s.logsDir;
    };
    const fromSession = await evaluatePastLogs(build(), { nowMs: T0 + 200_000, options: { rules: ['heartbeat_missing'], heartbeat: { missingFactor: 3, factorFromSession: true } } });
    expect(brief(fromSession.transitions)).toEqual([`fired heartbeat_missing ${S1} +15s`]);
    expect(fromSession.open[0]?.message).toContain('(2 x 5.0 s interval)');
    // The watcher's own multiple (a flag, its config) wins over the session's.
    const own = await evaluatePastLogs(build(), { nowMs: T0 + 200_000, options: { rules: ['heartbeat_missing'], heartbeat: { missingFactor: 3 } } });
    expect(brief(own.transitions)).toEqual([`fired heartbeat_missing ${S1} +20s`]);
  });

  it('--heartbeat-interval still overrides what the session configured', async () => {
    const s = new Scenario(tempDir('tradetrace-alerts-cfg-'));
    configuredStart(s.at(0), S1, { heartbeat_interval: '5s' });
    s.at(5_000).heartbeat(S1);
    s.close();
    const { transitions } = await evaluatePastLogs(s.logsDir, { nowMs: T0 + 200_000, options: { rules: ['heartbeat_missing'], heartbeat: { intervalS: 10 } } });
    expect(brief(transitions)).toEqual([`fired heartbeat_missing ${S1} +35s`]);
  });

  it('tradetrace alerts (one-shot) on the logs of a bot configured with runtime.heartbeat_interval=5s: fired at 15 s of silence, the multiple from the bot\'s config', async () => {
    const dataDir = tempDir('tradetrace-alerts-cfg-cli-');
    const s = new Scenario(dataDir);
    configuredStart(s.at(0), S1, { heartbeat_interval: '5s' }, { heartbeat_missing_multiple: 2 });
    s.at(5_000).heartbeat(S1);
    s.close();
    const result = await runCli(['alerts', '--data-dir', dataDir, '--rules', 'heartbeat_missing']);
    expect(result.stdout).toMatch(/^2025-10-26T10:00:15\.000Z FIRED {4}heartbeat_missing \[session_20251026_100000\] critical: no SHUTDOWN_HEARTBEAT from session_20251026_100000 for more than 10\.0 s \(2 x 5\.0 s interval\)/m);
    expect(result.code).toBe(1);
    // A multiple the operator sets for the watcher wins over the bot's.
    const own = await runCli(['alerts', '--data-dir', dataDir, '--rules', 'heartbeat_missing', '--set', 'alerts.heartbeat_missing_multiple=4']);
    expect(own.stdout).toMatch(/^2025-10-26T10:00:25\.000Z FIRED {4}heartbeat_missing .*\(4 x 5\.0 s interval\)/m);
  }, 60_000);
});

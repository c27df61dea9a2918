import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { readLog, runChild } from './fixtures/child-run.js';

const CHILD = resolve(import.meta.dirname, 'fixtures/shutdown-child.ts');

type Line = Record<string, unknown>;
interface Thread {
  name: string;
  alive: boolean;
  daemon: boolean;
  last_beat_age_s: number | null;
  period_s: number;
}
const threads = (line: Line | undefined): Thread[] => (line?.['registered_threads'] ?? []) as Thread[];
const thread = (line: Line | undefined, name: string): Thread | undefined => threads(line).find((t) => t.name === name);
const ofType = (lines: Line[], type: string): Line[] => lines.filter((l) => l['event_type'] === type);

function start(scenario: string, graceMs?: string, via: 'loader' | 'tsx-cli' = 'loader'): { logs: string; run: ReturnType<typeof runChild> } {
  const logs = join(tempDir('tradetrace-runtime-'), 'logs');
  return { logs, run: runChild(CHILD, [logs, scenario, ...(graceMs === undefined ? [] : [graceMs])], via) };
}

/** Waits until the child's system log has a line of this type (the shutdown is under way), up to 5 s. */
async function untilLogged(logs: string, type: string): Promise<void> {
  for (let i = 0; i < 200 && ofType(readLog(logs, 'system'), type).length === 0; i++) await new Promise((r) => setTimeout(r, 25));
}

/** Starts `scenario`, sends SIGINT, and once the shutdown is under way a second SIGINT, as an impatient operator does. */
async function twoSignals(scenario: string, graceMs?: string): Promise<{ logs: string; run: ReturnType<typeof runChild> }> {
  const started = start(scenario, graceMs);
  await started.run.waitFor('ready');
  started.run.child.kill('SIGINT');
  await untilLogged(started.logs, 'SHUTDOWN_REQUESTED');
  started.run.child.kill('SIGINT');
  return started;
}

describe('ShutdownCoordinator in a real process', () => {
  it('on SIGTERM stops components in reverse order, names the one that hangs, and exits 1', async () => {
    const { logs, run } = start('stuck');
    await run.waitFor('ready');
    run.child.kill('SIGTERM');
    const result = await run.exited;
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout.split('\n').filter((l) => l.startsWith('stop '))).toEqual(['stop engine', 'stop portfolio', 'stop store']);

    const lines = readLog(logs, 'system');
    const requested = ofType(lines, 'SHUTDOWN_REQUESTED');
    expect(requested).toHaveLength(1);
    expect(requested[0]).toMatchObject({ level: 'warn', reason: 'SIGTERM', running: ['store', 'portfolio', 'engine', 'market_data', 'DecisionLoop', 'DustSweeper'] });

    const finalBeat = ofType(lines, 'SHUTDOWN_HEARTBEAT').find((l) => l['trigger'] === 'shutdown');
    expect(finalBeat).toMatchObject({ shutdown_requested: true, registered_components: ['store', 'portfolio', 'engine', 'market_data'] });
    expect(threads(finalBeat).map((t) => [t.name, t.daemon])).toEqual([['DecisionLoop', false], ['DustSweeper', true]]);

    const timeout = ofType(lines, 'ERROR').find((l) => l['error_code'] === 'component_stop_timeout');
    expect(timeout).toMatchObject({ component: 'market_data' });
    expect(String(timeout?.['message'])).toContain('market_data did not stop within 300 ms');

    const complete = ofType(lines, 'SHUTDOWN_COMPLETE');
    expect(complete).toHaveLength(1);
    expect(complete[0]?.['exit_code']).toBe(1);
    const stops = complete[0]?.['components'] as { name: string; result: string; duration_ms: number }[];
    expect(stops.map((s) => [s.name, s.result])).toEqual([['market_data', 'timeout'], ['engine', 'stopped'], ['portfolio', 'stopped'], ['store', 'stopped']]);
    expect(stops[0]?.duration_ms).toBeGreaterThanOrEqual(295);
    expect(stops[1]?.duration_ms).toBeGreaterThanOrEqual(15);
    // Order in the file: requested, then the shutdown heartbeat, then the error, then complete.
    const seqOf = (line: Line | undefined): number => Number(line?.['seq']);
    expect(seqOf(requested[0])).toBeLessThan(seqOf(finalBeat));
    expect(seqOf(finalBeat)).toBeLessThan(seqOf(timeout));
    expect(seqOf(timeout)).toBeLessThan(seqOf(complete[0]));
  });

  it('on SIGINT with every component stopping in time exits 0', async () => {
    const { logs, run } = start('clean');
    await run.waitFor('ready');
    run.child.kill('SIGINT');
    const result = await run.exited;
    expect(result.code, result.stderr).toBe(0);
    const lines = readLog(logs, 'system');
    expect(ofType(lines, 'SHUTDOWN_REQUESTED')[0]?.['reason']).toBe('SIGINT');
    const complete = ofType(lines, 'SHUTDOWN_COMPLETE')[0];
    expect(complete?.['exit_code']).toBe(0);
    expect((complete?.['components'] as { result: string }[]).map((c) => c.result)).toEqual(['stopped', 'stopped', 'stopped']);
    expect(ofType(lines, 'ERROR')).toEqual([]);
  });

  it('SIGTERM to the tsx binary (how spawnCli and dev runs start the bot) reaches the coordinator and its exit code comes back', async () => {
    const { logs, run } = start('stuck', undefined, 'tsx-cli');
    await run.waitFor('ready');
    run.child.kill('SIGTERM');
    const result = await run.exited;
    expect(result.code, result.stderr).toBe(1);
    const lines = readLog(logs, 'system');
    expect(ofType(lines, 'SHUTDOWN_REQUESTED')[0]?.['reason']).toBe('SIGTERM');
    expect(ofType(lines, 'SHUTDOWN_COMPLETE')[0]?.['exit_code']).toBe(1);
  });

  it('a second signal while a component hangs forces exit 130 after the grace, recording who was still running and a SHUTDOWN_COMPLETE that says so', async () => {
    const { logs, run } = await twoSignals('double', '200');
    const result = await run.exited;
    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).not.toContain('could not be recorded');
    const lines = readLog(logs, 'system');
    const requested = ofType(lines, 'SHUTDOWN_REQUESTED');
    expect(requested.map((l) => l['forced'] ?? false)).toEqual([false, true]);
    expect(requested[1]).toMatchObject({ reason: 'SIGINT', running: ['store', 'portfolio', 'engine', 'market_data', 'DecisionLoop', 'DustSweeper'] });
    const notice = ofType(lines, 'LOG').find((l) => l['component'] === 'shutdown');
    expect(String(notice?.['message'])).toContain('SIGINT during shutdown while market_data was stopping: exit is forced in 200 ms unless shutdown finishes first');
    // The forced exit still closes the record: market_data's stop was cut short, nothing after it ran.
    const complete = ofType(lines, 'SHUTDOWN_COMPLETE');
    expect(complete).toHaveLength(1);
    expect(complete[0]).toMatchObject({ exit_code: 130, components: [{ name: 'market_data', result: 'timeout' }] });
    expect(Number(complete[0]?.['seq'])).toBeGreaterThan(Number(requested[1]?.['seq']));
    expect(Number(complete[0]?.['duration_ms'])).toBeGreaterThanOrEqual(195);
  });

  it('a third signal during the grace forces exit at once', async () => {
    const { logs, run } = await twoSignals('double', '60000');
    await untilLogged(logs, 'LOG');
    const third = Date.now();
    run.child.kill('SIGTERM');
    const result = await run.exited;
    expect(Date.now() - third).toBeLessThan(10_000);
    expect(result.code, result.stderr).toBe(143);
    const lines = readLog(logs, 'system');
    expect(ofType(lines, 'SHUTDOWN_REQUESTED').map((l) => [l['reason'], l['forced'] ?? false])).toEqual([['SIGINT', false], ['SIGTERM', true]]);
    expect(ofType(lines, 'SHUTDOWN_COMPLETE').map((l) => l['exit_code'])).toEqual([143]);
  });

  it('a second signal while the shutdown is progressing lets it finish within the grace: exit 0 and the whole record', async () => {
    // A 5 s grace, not the default 1 s: the rest of the shutdown (a 600 ms stop, then three of 20 ms)
    // then finishes within it however late a loaded machine runs the child's timers.
    const { logs, run } = await twoSignals('slow-stop', '5000');
    const result = await run.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n').filter((l) => l.startsWith('stop '))).toEqual(['stop engine', 'stop portfolio', 'stop store']);
    const lines = readLog(logs, 'system');
    expect(ofType(lines, 'SHUTDOWN_REQUESTED').map((l) => l['forced'] ?? false)).toEqual([false]);
    expect(String(ofType(lines, 'LOG')[0]?.['message'])).toContain('SIGINT during shutdown while market_data was stopping');
    const complete = ofType(lines, 'SHUTDOWN_COMPLETE');
    expect(complete).toHaveLength(1);
    expect(complete[0]?.['exit_code']).toBe(0);
    expect((complete[0]?.['components'] as { result: string }[]).map((c) => c.result)).toEqual(['stopped', 'stopped', 'stopped', 'stopped']);
    expect(ofType(lines, 'ERROR')).toEqual([]);
  });

  it('after a forced exit whose caller closes the recorder (as the paper session does), the rest of the shutdown runs without writing', async () => {
    const { logs, run } = await twoSignals('double-close', '100');
    const result = await run.exited;
    expect(result.code, result.stderr).toBe(130);
    // market_data times out 1.5 s in, after the forced exit: the others are still stopped, silently.
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n').filter((l) => l.startsWith('exit ') || l.startsWith('stop '))).toEqual([
      // What the paper session can put in SESSION_END so that health tells a forced stop from an error.
      'exit 130: SIGINT during shutdown forced exit 130 while market_data was stopping; not stopped: store, portfolio, engine, market_data, DecisionLoop, DustSweeper',
      'stop engine', 'stop portfolio', 'stop store',
    ]);
    const lines = readLog(logs, 'system');
    expect(ofType(lines, 'SHUTDOWN_COMPLETE').map((l) => l['exit_code'])).toEqual([130]);
    expect(ofType(lines, 'ERROR')).toEqual([]);
    expect(lines.at(-1)?.['event_type']).toBe('SHUTDOWN_COMPLETE');
  });

  it('writes a shutdown heartbeat even when the session ends before the first interval', async () => {
    const { logs, run } = start('short');
    const result = await run.exited;
    expect(result.code, result.stderr).toBe(0);
    const lines = readLog(logs, 'system');
    const beat = ofType(lines, 'SHUTDOWN_HEARTBEAT').find((l) => l['trigger'] === 'shutdown');
    expect(beat).toBeDefined();
    expect(ofType(lines, 'SHUTDOWN_REQUESTED')[0]?.['reason']).toBe('data_end');
    expect(thread(beat, 'DecisionLoop')).toMatchObject({ daemon: false, period_s: 0.03 });
    // The probe runs while the watchdog thread boots (over a second under tsx): that is no blocked loop.
    expect(beat?.['event_loop_blocked_ms']).toBeLessThan(500);
  });
});

describe('heartbeat watchdog thread', () => {
  it('keeps writing heartbeats while the main thread is blocked, naming the stalled loops', async () => {
    const { logs, run } = start('block');
    const result = await run.exited;
    expect(result.code, result.stderr).toBe(0);
    const lines = readLog(logs, 'system');
    const beats = ofType(lines, 'SHUTDOWN_HEARTBEAT').filter((l) => l['trigger'] === 'interval');
    // At least 500 ms of busy loop at a 100 ms interval, and until the watchdog wrote three lines meanwhile (the child waits on its file).
    // Up to the child's LOG line as its busy loop ended: a heartbeat after it (the shutdown is requested
    // at once, before the event loop turns) still reads the loop blocked, with the shutdown requested.
    const unblockedSeq = Number(ofType(lines, 'LOG').find((l) => l['message'] === 'main thread unblocked')?.['seq']);
    const duringBlock = beats.filter((l) => Number(l['seq']) < unblockedSeq && Number(l['event_loop_blocked_ms']) > 0 && threads(l).every((t) => !t.alive));
    expect(duringBlock.length, JSON.stringify(beats.map((l) => [l['event_loop_blocked_ms'], threads(l).map((t) => t.alive)]))).toBeGreaterThanOrEqual(3);
    const blocked = duringBlock.map((l) => Number(l['event_loop_blocked_ms']));
    expect(blocked.at(-1)).toBeGreaterThan(blocked[0] ?? Infinity);
    expect(Math.max(...blocked)).toBeGreaterThanOrEqual(300);
    for (const line of duringBlock) {
      expect(threads(line).map((t) => t.name)).toEqual(['DecisionLoop', 'DustSweeper']);
      expect(line['shutdown_requested']).toBe(false);
      expect((line['stats'] as Record<string, number>)['loops_stalled']).toBe(2);
    }
    // Healthy before the block: alive loops, a responsive event loop, recent beats from both loops.
    const healthy = beats[0];
    expect(healthy?.['event_loop_blocked_ms']).toBe(0);
    expect(threads(healthy).every((t) => t.alive)).toBe(true);
    expect(new Set((healthy?.['recent_heartbeats'] as { name: string }[]).map((b) => b.name))).toEqual(new Set(['DecisionLoop', 'DustSweeper']));
    // Both threads draw from one sequence: no duplicate seq across the watchdog's and the main thread's lines.
    const seqs = lines.map((l) => Number(l['seq']));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(ofType(lines, 'SHUTDOWN_COMPLETE')[0]?.['exit_code']).toBe(0);
  });

  it('does not keep the process alive once the bot has nothing left to do', async () => {
    const { logs, run } = start('idle-exit');
    const result = await run.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('idle');
    // It did run meanwhile: heartbeats were written before the process left on its own.
    expect(ofType(readLog(logs, 'system'), 'SHUTDOWN_HEARTBEAT').length).toBeGreaterThanOrEqual(1);
  });

  it('shows a loop that stops beating as alive:false in the next heartbeat, while the others stay alive', async () => {
    const { logs, run } = start('stop-beating');
    const result = await run.exited;
    expect(result.code, result.stderr).toBe(0);
    const beats = ofType(readLog(logs, 'system'), 'SHUTDOWN_HEARTBEAT').filter((l) => l['trigger'] === 'interval' && l['shutdown_requested'] === false);
    const states = beats.map((l) => thread(l, 'LiveDashboard')?.alive);
    const firstDead = states.indexOf(false);
    expect(firstDead, JSON.stringify(states)).toBeGreaterThan(0);
    expect(states.slice(0, firstDead).every(Boolean)).toBe(true);
    expect(states.slice(firstDead).every((s) => s === false)).toBe(true);
    const dead = beats[firstDead];
    // Stall threshold 3 x 30 ms; the heartbeat interval is 100 ms, so the first dead report comes within one interval of it.
    expect(thread(dead, 'LiveDashboard')?.last_beat_age_s).toBeGreaterThanOrEqual(0.09);
    // Upper bound: stall threshold + the interval the watchdog actually took since the beat before
    // (which reported it alive), not 100 ms plus a fixed slack a loaded machine's late timer outruns.
    const intervalS = (Date.parse(String(dead?.['ts'])) - Date.parse(String(beats[firstDead - 1]?.['ts']))) / 1000;
    expect(thread(dead, 'LiveDashboard')?.last_beat_age_s).toBeLessThan(0.09 + intervalS + 0.02);
    expect(thread(dead, 'DecisionLoop')?.alive).toBe(true);
    expect(thread(beats.at(-1), 'LiveDashboard')?.last_beat_age_s).toBeGreaterThan(0.3);
  });
});

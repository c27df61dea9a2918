import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { timerLateness } from '../../test/support/timer-lateness.js';
import { FileSink } from '../recorder/file-sink.js';
import { NullSink } from '../recorder/line-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { readLog } from './fixtures/child-run.js';
import { ShutdownCoordinator, type ShutdownCoordinatorOptions } from './shutdown-coordinator.js';

type Line = Record<string, unknown>;
const ofType = (lines: Line[], type: string): Line[] => lines.filter((l) => l['event_type'] === type);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Odd delays, so the deadline's timer can be told apart from every other timer the run sets. */
const DEADLINE_MS = 173;
const LONG_DEADLINE_MS = 613;

function setup(options: Partial<ShutdownCoordinatorOptions> = {}): { coordinator: ShutdownCoordinator; logs: string; exits: { code: number; atMs: number }[]; startedMs: number } {
  const logs = join(tempDir('tradetrace-deadline-'), 'logs');
  const recorder = new Recorder({ sessionId: 'session_20250101_000000', sink: new FileSink(logs) });
  const exits: { code: number; atMs: number }[] = [];
  const startedMs = performance.now();
  const coordinator = new ShutdownCoordinator({
    recorder, logsDir: logs, watchdog: false, shutdownTimeoutMs: DEADLINE_MS,
    exit: (code) => exits.push({ code, atMs: performance.now() - startedMs }),
    ...options,
  });
  return { coordinator, logs, exits, startedMs };
}

/** Watches the timers the coordinator sets: the deadline's is the one set for `deadlineMs`. */
function watchDeadlineTimer(deadlineMs: number): { timer: () => NodeJS.Timeout | undefined; cleared: () => boolean } {
  const created: NodeJS.Timeout[] = [];
  const clearedTimers: unknown[] = [];
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  vi.spyOn(globalThis, 'setTimeout').mockImplementation((fn: () => void, ms?: number) => {
    const timer = realSet(fn, ms);
    if (ms === deadlineMs) created.push(timer);
    return timer;
  });
  vi.spyOn(globalThis, 'clearTimeout').mockImplementation((timer?: string | number | NodeJS.Timeout) => {
    clearedTimers.push(timer);
    realClear(timer);
  });
  return { timer: () => created[0], cleared: () => created[0] !== undefined && clearedTimers.includes(created[0]) };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('ShutdownCoordinator shutdown deadline (shutdownTimeoutMs)', () => {
  it('rejects a deadline that is not a positive number of milliseconds, naming it', () => {
    const recorder = new Recorder({ sessionId: 'session_20250101_000000', sink: new NullSink() });
    expect(() => new ShutdownCoordinator({ recorder, logsDir: '/x', shutdownTimeoutMs: 0 })).toThrow(/shutdownTimeoutMs must be .* got 0/);
    expect(() => new ShutdownCoordinator({ recorder, logsDir: '/x', shutdownTimeoutMs: Number.NaN })).toThrow(/shutdownTimeoutMs must be .* got NaN/);
  });

  it('a stop that hangs past the deadline, though within its own timeout, is cut short at the deadline: exit 1 with a final record', async () => {
    const watched = watchDeadlineTimer(DEADLINE_MS);
    const { coordinator, logs, exits } = setup({ stopTimeoutMs: 5000 });
    const stopped: string[] = [];
    let releaseEngine: () => void = () => undefined;
    coordinator.registerComponent({ name: 'store', order: 0, stop: () => void stopped.push('store') });
    coordinator.registerComponent({ name: 'engine', order: 1, stop: () => new Promise<void>((resolve) => (releaseEngine = resolve)) });
    coordinator.registerLoop({ name: 'DecisionLoop', daemon: false, periodMs: 1000 }).beat();

    const code = await coordinator.requestShutdown('SIGTERM');
    expect(code).toBe(1);
    expect(exits.map((e) => e.code)).toEqual([1]);
    // At the deadline, not at engine's own 5 s timeout.
    expect(exits[0]?.atMs).toBeGreaterThanOrEqual(DEADLINE_MS - 5);
    expect(exits[0]?.atMs).toBeLessThan(2000);
    expect(watched.timer()?.hasRef()).toBe(false);

    const lines = readLog(logs, 'system');
    expect(lines.map((l) => l['event_type'])).toEqual(['SHUTDOWN_REQUESTED', 'SHUTDOWN_HEARTBEAT', 'ERROR', 'SHUTDOWN_COMPLETE']);
    // Nothing asked for shutdown a second time, so no forced SHUTDOWN_REQUESTED: the ERROR says what happened.
    expect(ofType(lines, 'SHUTDOWN_REQUESTED').map((l) => l['forced'] ?? false)).toEqual([false]);
    const error = ofType(lines, 'ERROR')[0];
    expect(error).toMatchObject({ error_code: 'shutdown_timeout', component: 'engine' });
    expect(error?.['message']).toBe(
      `shutdown did not finish within its ${DEADLINE_MS} ms deadline (runtime.shutdown_timeout) while engine was stopping: exit 1 without waiting; not stopped: store, engine, DecisionLoop`,
    );
    const complete = ofType(lines, 'SHUTDOWN_COMPLETE')[0];
    expect(complete).toMatchObject({ exit_code: 1, components: [{ name: 'engine', result: 'timeout' }] });
    expect(Number(complete?.['duration_ms'])).toBeGreaterThanOrEqual(DEADLINE_MS - 5);
    expect(coordinator.forcedExit).toEqual({ code: 'shutdown_timeout', message: error?.['message'] });

    // As after a forced exit, what is left is still stopped, silently: the record stays final.
    expect(stopped).toEqual([]);
    releaseEngine();
    await sleep(50);
    expect(stopped).toEqual(['store']);
    expect(exits.map((e) => e.code)).toEqual([1]);
    expect(readLog(logs, 'system')).toHaveLength(lines.length);
  });

  it('bounds the total when every stop takes just under its own timeout: the stops that ended are listed, the one under way cut short', async () => {
    const { coordinator, logs, exits } = setup({ shutdownTimeoutMs: 300, stopTimeoutMs: 1000 });
    for (const [order, name] of ['store', 'portfolio', 'engine'].entries()) {
      coordinator.registerComponent({ name, order, stop: () => sleep(200) });
    }
    // Due with the deadline: as late as it runs, a loaded machine runs the deadline's timer.
    const ownTimerLateMs = timerLateness(300);
    expect(await coordinator.requestShutdown('data_end')).toBe(1);
    // Each stop is well within its own 1 s; together they would take 600 ms.
    expect(exits[0]?.atMs).toBeGreaterThanOrEqual(295);
    expect(exits[0]?.atMs).toBeLessThan(550 + (await ownTimerLateMs));
    const lines = readLog(logs, 'system');
    expect(ofType(lines, 'ERROR').map((l) => [l['error_code'], l['component']])).toEqual([['shutdown_timeout', 'portfolio']]);
    const complete = ofType(lines, 'SHUTDOWN_COMPLETE')[0];
    expect(complete?.['exit_code']).toBe(1);
    expect((complete?.['components'] as { name: string; result: string }[]).map((c) => [c.name, c.result])).toEqual([['engine', 'stopped'], ['portfolio', 'timeout']]);
  });

  it('a quick shutdown writes no deadline line and clears the deadline timer', async () => {
    const watched = watchDeadlineTimer(DEADLINE_MS);
    const { coordinator, logs, exits } = setup();
    coordinator.registerComponent({ name: 'engine', order: 0, stop: () => sleep(10) });
    expect(await coordinator.requestShutdown('SIGINT')).toBe(0);
    expect(watched.timer()).toBeDefined();
    expect(watched.cleared()).toBe(true);
    await sleep(DEADLINE_MS + 50);
    expect(exits.map((e) => e.code)).toEqual([0]);
    const lines = readLog(logs, 'system');
    expect(ofType(lines, 'ERROR')).toEqual([]);
    expect(ofType(lines, 'SHUTDOWN_COMPLETE').map((l) => l['exit_code'])).toEqual([0]);
    expect(coordinator.forcedExit).toBeUndefined();
  });

  it('the per-component timeout still cuts a hung stop well before the deadline, and the deadline then stays silent', async () => {
    const watched = watchDeadlineTimer(LONG_DEADLINE_MS);
    const { coordinator, logs, exits } = setup({ shutdownTimeoutMs: LONG_DEADLINE_MS, stopTimeoutMs: 5000 });
    coordinator.registerComponent({ name: 'store', order: 0, stop: () => undefined });
    coordinator.registerComponent({ name: 'market_data', order: 1, stopTimeoutMs: 40, stop: () => new Promise<void>(() => undefined) });
    // Due with market_data's own timeout: as late as it runs, a loaded machine runs that timer.
    const ownTimerLateMs = timerLateness(40);
    expect(await coordinator.requestShutdown('SIGTERM')).toBe(1);
    expect(exits[0]?.atMs).toBeLessThan(LONG_DEADLINE_MS - 100 + (await ownTimerLateMs));
    expect(watched.cleared()).toBe(true);
    await sleep(LONG_DEADLINE_MS + 50);
    expect(exits.map((e) => e.code)).toEqual([1]);
    const lines = readLog(logs, 'system');
    expect(ofType(lines, 'ERROR').map((l) => [l['error_code'], l['component']])).toEqual([['component_stop_timeout', 'market_data']]);
    expect(String(ofType(lines, 'ERROR')[0]?.['message'])).toContain('market_data did not stop within 40 ms');
    const complete = ofType(lines, 'SHUTDOWN_COMPLETE')[0];
    expect((complete?.['components'] as { name: string; result: string }[]).map((c) => [c.name, c.result])).toEqual([['market_data', 'timeout'], ['store', 'stopped']]);
    expect(coordinator.forcedExit).toBeUndefined();
  });

  it('the deadline passing during a second signal\'s grace exits 1 for the deadline, and the grace then forces nothing', async () => {
    const { coordinator, logs, exits } = setup({ forceGraceMs: 600, stopTimeoutMs: 5000 });
    coordinator.registerComponent({ name: 'engine', order: 0, stop: () => new Promise<void>(() => undefined) });
    const uninstall = coordinator.installSignalHandlers(['SIGINT']);
    try {
      const shutdown = coordinator.requestShutdown('SIGINT');
      await sleep(20);
      process.emit('SIGINT');
      expect(await shutdown).toBe(1);
      await sleep(700);
    } finally {
      uninstall();
    }
    expect(exits.map((e) => e.code)).toEqual([1]);
    const lines = readLog(logs, 'system');
    expect(ofType(lines, 'SHUTDOWN_REQUESTED').map((l) => l['forced'] ?? false)).toEqual([false]);
    expect(ofType(lines, 'SHUTDOWN_COMPLETE').map((l) => l['exit_code'])).toEqual([1]);
    expect(coordinator.forcedExit?.code).toBe('shutdown_timeout');
  });
});

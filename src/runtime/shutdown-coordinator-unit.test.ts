import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { FileSink } from '../recorder/file-sink.js';
import { NullSink } from '../recorder/line-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { readLog } from './fixtures/child-run.js';
import { RuntimeError } from './runtime-error.js';
import { ShutdownCoordinator } from './shutdown-coordinator.js';

const nullRecorder = (): Recorder => new Recorder({ sessionId: 'session_20250101_000000', sink: new NullSink() });
const noop = (): void => undefined;

describe('ShutdownCoordinator (in process, no watchdog thread)', () => {
  it('rejects bad options and registrations with errors that name them', () => {
    const recorder = nullRecorder();
    expect(() => new ShutdownCoordinator({ recorder, logsDir: '/x', heartbeatIntervalMs: 0 })).toThrow(/heartbeatIntervalMs must be .* got 0/);
    expect(() => new ShutdownCoordinator({ recorder, logsDir: '/x', recentBeats: 65 })).toThrow(/recentBeats .* got 65/);
    expect(() => new ShutdownCoordinator({ recorder, logsDir: '/x', stallFactor: 0.5 })).toThrow(/stallFactor .* got 0.5/);
    const coordinator = new ShutdownCoordinator({ recorder, logsDir: '/x', watchdog: false, exit: noop });
    coordinator.registerComponent({ name: 'engine', order: 0, stop: noop });
    expect(() => coordinator.registerComponent({ name: 'engine', order: 1, stop: noop })).toThrow(expect.objectContaining({ code: 'duplicate_name' }) as Error);
    coordinator.registerLoop({ name: 'DecisionLoop', daemon: false, periodMs: 100 });
    expect(() => coordinator.registerLoop({ name: 'DecisionLoop', daemon: false, periodMs: 100 })).toThrow(/loop DecisionLoop is already registered/);
    expect(() => coordinator.registerLoop({ name: 'Bad', daemon: false, periodMs: Number.NaN })).toThrow(/periodMs of loop Bad/);
  });

  it('starts in ascending order, and on a failing start names it, skips the rest and stops only what started', async () => {
    const logs = join(tempDir('tradetrace-coord-'), 'logs');
    const recorder = new Recorder({ sessionId: 'session_20250101_000000', sink: new FileSink(logs) });
    const exits: number[] = [];
    const coordinator = new ShutdownCoordinator({ recorder, logsDir: logs, watchdog: false, exit: (code) => exits.push(code) });
    const events: string[] = [];
    const component = (name: string, order: number, failStart = false): void =>
      coordinator.registerComponent({
        name,
        order,
        start: () => {
          events.push(`start ${name}`);
          if (failStart) throw new Error('no exchange connection');
        },
        stop: () => void events.push(`stop ${name}`),
      });
    component('engine', 2);
    component('store', 0);
    component('market_data', 1, true);
    const started = coordinator.start();
    await expect(started).rejects.toThrow(RuntimeError);
    await expect(started).rejects.toThrow('component market_data failed to start: no exchange connection');
    const code = await coordinator.requestShutdown('fatal');
    expect(events).toEqual(['start store', 'start market_data', 'stop store']);
    expect(code).toBe(1);
    expect(exits).toEqual([1]);
    const lines = readLog(logs, 'system');
    expect(lines.map((l) => l['event_type'])).toEqual(['ERROR', 'SHUTDOWN_REQUESTED', 'SHUTDOWN_HEARTBEAT', 'SHUTDOWN_COMPLETE']);
    expect(lines[0]).toMatchObject({ error_code: 'component_start_failed', component: 'market_data' });
    expect(lines[1]).toMatchObject({ reason: 'fatal', running: ['store'] });
    expect(lines[3]).toMatchObject({ exit_code: 1, components: [{ name: 'store', result: 'stopped' }] });
  });

  it('shares one shutdown among repeated requests, counts them, and refuses registration after it began', async () => {
    const exits: number[] = [];
    const coordinator = new ShutdownCoordinator({ recorder: nullRecorder(), logsDir: '/x', watchdog: false, exit: (code) => exits.push(code) });
    coordinator.registerComponent({ name: 'engine', order: 0, stop: () => new Promise((r) => setTimeout(r, 20)) });
    const first = coordinator.requestShutdown('data_end');
    const second = coordinator.requestShutdown('duration_reached');
    expect(second).toBe(first);
    expect(await first).toBe(0);
    expect(exits).toEqual([0]);
    expect(coordinator.heartbeat().stats['shutdown_requests']).toBe(2);
    expect(() => coordinator.registerLoop({ name: 'Late', daemon: true, periodMs: 10 })).toThrow(expect.objectContaining({ code: 'shutdown_in_progress' }) as Error);
  });

  it('a shutdown during an async start waits for that start, then stops it, and starts nothing after it', async () => {
    const events: string[] = [];
    const coordinator = new ShutdownCoordinator({ recorder: nullRecorder(), logsDir: '/x', watchdog: false, exit: noop });
    let release: () => void = noop;
    coordinator.registerComponent({ name: 'store', order: 0, stop: () => void events.push('stop store') });
    coordinator.registerComponent({
      name: 'alerts', order: 5,
      start: () => { events.push('start alerts'); return new Promise<void>((resolve) => (release = resolve)); },
      stop: () => void events.push('stop alerts'),
    });
    coordinator.registerComponent({ name: 'feed', order: 30, start: () => void events.push('start feed'), stop: () => void events.push('stop feed') });
    const started = coordinator.start();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const shutdown = coordinator.requestShutdown('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 10));
    events.push('start ends');
    release();
    expect(await shutdown).toBe(0);
    await started;
    // The feed never started, so it is stopped without a start (its stop must cope, as every stop does).
    expect(events).toEqual(['start alerts', 'stop feed', 'start ends', 'stop alerts', 'stop store']);
  });

  it('a first signal while the bot stops on its own (data end) is noted, not taken as a second Ctrl-C; the next one insists', async () => {
    const logs = join(tempDir('tradetrace-coord-'), 'logs');
    const recorder = new Recorder({ sessionId: 'session_20250101_000000', sink: new FileSink(logs) });
    const exits: number[] = [];
    const coordinator = new ShutdownCoordinator({ recorder, logsDir: logs, watchdog: false, forceGraceMs: 50, exit: (code) => exits.push(code) });
    let release: () => void = noop;
    coordinator.registerComponent({ name: 'engine', order: 0, stop: () => new Promise<void>((resolve) => (release = resolve)) });
    const uninstall = coordinator.installSignalHandlers(['SIGINT']);
    try {
      const shutdown = coordinator.requestShutdown('data_end');
      await new Promise((resolve) => setTimeout(resolve, 10));
      process.emit('SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(exits).toEqual([]);
      process.emit('SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(exits).toEqual([130]);
      release();
      expect(await shutdown).toBe(130);
    } finally {
      uninstall();
    }
    const lines = readLog(logs, 'system');
    expect(lines.filter((l) => l['event_type'] === 'LOG').map((l) => l['message'])).toEqual([
      expect.stringMatching(/^SIGINT while the bot was already shutting down on its own \(waiting on engine\): shutdown goes on; another signal forces exit$/),
      expect.stringMatching(/^SIGINT during shutdown while engine was stopping: exit is forced in 50 ms/),
    ]);
  });

  it('SIGHUP (a closed terminal) and SIGQUIT begin shutdown as SIGTERM does; a signal after one insists, as after Ctrl-C', async () => {
    for (const signal of ['SIGHUP', 'SIGQUIT'] as const) {
      const logs = join(tempDir('tradetrace-coord-'), 'logs');
      const recorder = new Recorder({ sessionId: 'session_20250101_000000', sink: new FileSink(logs) });
      const exits: number[] = [];
      const coordinator = new ShutdownCoordinator({ recorder, logsDir: logs, watchdog: false, forceGraceMs: 50, exit: (code) => exits.push(code) });
      let release: () => void = noop;
      coordinator.registerComponent({ name: 'engine', order: 0, stop: () => new Promise<void>((resolve) => (release = resolve)) });
      const uninstall = coordinator.installSignalHandlers();
      try {
        process.emit(signal);
        expect(coordinator.shutdownRequested, `${signal} began no shutdown`).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 10));
        process.emit('SIGINT');
        release();
        expect(await coordinator.requestShutdown('SIGINT')).toBe(0);
      } finally {
        uninstall();
      }
      expect(exits).toEqual([0]);
      const lines = readLog(logs, 'system');
      expect(lines.find((l) => l['event_type'] === 'SHUTDOWN_REQUESTED')).toMatchObject({ reason: signal });
      expect(lines.filter((l) => l['event_type'] === 'LOG').map((l) => l['message'])).toEqual([expect.stringMatching(/^SIGINT during shutdown while engine was stopping: exit is forced in 50 ms/)]);
    }
  });

  it('a loop handle that ends leaves the heartbeat, one that beats is alive', () => {
    const coordinator = new ShutdownCoordinator({ recorder: nullRecorder(), logsDir: '/x', watchdog: false, exit: noop });
    const decision = coordinator.registerLoop({ name: 'DecisionLoop', daemon: false, periodMs: 1000 });
    const backfill = coordinator.registerLoop({ name: 'Backfill', daemon: true, periodMs: 1000 });
    decision.beat();
    backfill.end();
    expect(coordinator.heartbeat().registered_threads.map((t) => [t.name, t.alive])).toEqual([['DecisionLoop', true]]);
    expect(coordinator.heartbeat().recent_heartbeats.map((b) => b.name)).toEqual(['DecisionLoop']);
  });
});

describe('ShutdownCoordinator (watchdog thread)', () => {
  it('a shutdown while the watchdog thread is still starting stops it once up: no heartbeat after SHUTDOWN_COMPLETE', async () => {
    const logs = join(tempDir('tradetrace-coord-'), 'logs');
    const recorder = new Recorder({ sessionId: 'session_20250101_000000', sink: new FileSink(logs) });
    const coordinator = new ShutdownCoordinator({ recorder, logsDir: logs, heartbeatIntervalMs: 20, exit: noop });
    coordinator.registerComponent({ name: 'engine', order: 0, stop: noop });
    const started = coordinator.start();
    // The signal lands while start() awaits the thread's launch.
    expect(await coordinator.requestShutdown('SIGINT')).toBe(0);
    await started;
    const count = (): number => readLog(logs, 'system').length;
    const atEnd = count();
    await new Promise((resolve) => setTimeout(resolve, 300));
    recorder.close();
    const lines = readLog(logs, 'system');
    expect(lines.length).toBe(atEnd);
    expect(lines.at(-1)?.['event_type']).toBe('SHUTDOWN_COMPLETE');
  });
});

import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { DashboardBus, type DashboardEvent } from './dashboard-bus.js';
import { readLog } from './fixtures/child-run.js';
import { RuntimeError } from './runtime-error.js';

const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

function setup(options: { maxQueue?: number } = {}): { logs: string; recorder: Recorder; bus: DashboardBus } {
  const logs = join(tempDir('tradetrace-dash-'), 'logs');
  const recorder = new Recorder({ sessionId: 'session_20250101_000000', sink: new FileSink(logs), now: () => Date.parse('2025-10-26T12:34:56.789Z') });
  return { logs, recorder, bus: new DashboardBus({ recorder, now: () => Date.parse('2025-10-26T12:34:56.789Z'), ...options }) };
}

// The call sites whose lines the tests assert. Keep them on these lines.
const raiseFill = (bus: DashboardBus): void => bus.emit('BUY_FILLED', 'BTC/USDT @ $45000.00'); // line 20
const raiseStop = (bus: DashboardBus): void => bus.emit('STOP_LOSS', 'ETH/USDT stop hit', { pnl: -1.5 }); // line 21

describe('DashboardBus', () => {
  it('logs DASH_EVENT with the exact file:line of the caller, relative to the project root', () => {
    const { logs, bus } = setup();
    raiseFill(bus);
    raiseStop(bus);
    raiseFill(bus); // the cached call site must give the same answer
    const lines = readLog(logs, 'dashboard');
    expect(lines.map((l) => l['source'])).toEqual(['src/runtime/dashboard-bus.test.ts:20', 'src/runtime/dashboard-bus.test.ts:21', 'src/runtime/dashboard-bus.test.ts:20']);
    expect(lines[1]).toMatchObject({
      event_type: 'DASH_EVENT',
      level: 'info',
      dashboard_event_type: 'STOP_LOSS',
      message: 'ETH/USDT stop hit',
      timestamp: '12:34:56',
      data: { pnl: -1.5 },
    });
  });

  it('names the caller in a child process run from source by tsx (compiled: compiled.test.ts)', () => {
    const logs = join(tempDir('tradetrace-dash-'), 'logs');
    const fromSource = spawnSync(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'fixtures/dash-child.ts'), logs], { encoding: 'utf8', cwd: PROJECT_ROOT });
    expect(fromSource.status, fromSource.stderr).toBe(0);
    expect(readLog(logs, 'dashboard').map((l) => l['source'])).toEqual(Array(3).fill('src/runtime/fixtures/dash-child.ts:12'));
  });

  it('delivers to subscribers after emit returns, in order, isolating one that throws', async () => {
    const { logs, bus } = setup();
    const seen: string[] = [];
    bus.subscribe('terminal', (event) => {
      seen.push(`${event.type}@${event.source}`);
    });
    bus.subscribe('broken', () => {
      throw new Error('render failed');
    });
    raiseFill(bus);
    raiseStop(bus);
    expect(seen).toEqual([]); // emit never runs a subscriber on the caller's stack
    await bus.idle();
    expect(seen).toEqual(['BUY_FILLED@src/runtime/dashboard-bus.test.ts:20', 'STOP_LOSS@src/runtime/dashboard-bus.test.ts:21']);
    const errors = readLog(logs, 'system').filter((l) => l['event_type'] === 'ERROR');
    expect(errors.map((l) => [l['error_code'], l['component']])).toEqual([
      ['dashboard_subscriber_failed', 'dashboard:broken'],
      ['dashboard_subscriber_failed', 'dashboard:broken'],
    ]);
    expect(String(errors[0]?.['message'])).toContain('render failed');
    expect(String(errors[0]?.['message'])).toContain('BUY_FILLED from src/runtime/dashboard-bus.test.ts:20');
    expect(readLog(logs, 'dashboard')).toHaveLength(2);
  });

  it('a slow subscriber falls behind alone: the others and the log are not held up; overflow drops its oldest and says so', async () => {
    const { logs, bus } = setup({ maxQueue: 3 });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow: string[] = [];
    const fast: string[] = [];
    bus.subscribe('slow', async (event) => {
      await gate;
      slow.push(event.message);
    });
    bus.subscribe('fast', (event) => void fast.push(event.message));
    for (let i = 0; i < 6; i++) {
      bus.emit('TICK', `tick ${i}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(readLog(logs, 'dashboard')).toHaveLength(6);
    expect(fast).toEqual(['tick 0', 'tick 1', 'tick 2', 'tick 3', 'tick 4', 'tick 5']);
    expect(slow).toEqual([]);
    release();
    await bus.idle();
    // The slow one took tick 0 before the gate, kept the newest three queued, and dropped tick 1 and 2.
    expect(slow).toEqual(['tick 0', 'tick 3', 'tick 4', 'tick 5']);
    const overflow = readLog(logs, 'system').filter((l) => l['error_code'] === 'dashboard_subscriber_overflow');
    expect(overflow).toHaveLength(1);
    expect(overflow[0]?.['component']).toBe('dashboard:slow');
  });

  it('rejects an event type that is not UPPER_SNAKE_CASE, naming it, and logs nothing', () => {
    const { logs, bus } = setup();
    const subscriberEvents: DashboardEvent[] = [];
    bus.subscribe('t', (event) => void subscriberEvents.push(event));
    expect(() => bus.emit('buy filled', 'x')).toThrow(RuntimeError);
    expect(() => bus.emit('buy filled', 'x')).toThrow(/UPPER_SNAKE_CASE.*"buy filled"/);
    expect(readLog(logs, 'dashboard')).toEqual([]);
  });

  it('unsubscribe stops delivery', async () => {
    const { bus } = setup();
    const seen: string[] = [];
    const off = bus.subscribe('t', (event) => void seen.push(event.type));
    raiseFill(bus);
    await bus.idle();
    off();
    raiseStop(bus);
    await bus.idle();
    expect(seen).toEqual(['BUY_FILLED']);
  });
});


import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { Decimal } from '../domain/decimal.js';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { DashboardBus } from '../runtime/dashboard-bus.js';
import { busyModel } from './__fixtures__/busy-model.js';
import { TerminalDashboard } from './terminal-dashboard.js';
import { MAX_HELD_WRITES } from './console-behind-frame.js';
import type { AlertTransition } from '../alerts/alert-transition.js';

/** A stream that records what is written; `isTTY` decides which kind of terminal it plays. */
class CapturingStream extends Writable {
  readonly chunks: string[] = [];
  constructor(readonly isTTY: boolean, readonly columns = 100, readonly rows = 30) {
    super();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(chunk.toString('utf8'));
    callback();
  }
  get text(): string {
    return this.chunks.join('');
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The environment of a capable terminal: the runner's own TERM (dumb in some CI shells) must not pick the mode. */
const TERMINAL_ENV: NodeJS.ProcessEnv = { TERM: 'xterm-256color' };

function busWithRecorder() {
  const recorder = new Recorder({ sessionId: 'session_20220103_100000', sink: new FileSink(join(tempDir(), 'logs')) });
  return { bus: new DashboardBus({ recorder }), recorder };
}

describe('TerminalDashboard', () => {
  it('draws a whole frame on a terminal that reports 0 columns and rows (a pty without a size), as on 80 x 24', async () => {
    const stream = new CapturingStream(true, 0, 0);
    const { bus, recorder } = busWithRecorder();
    const model = busyModel();
    model.attachBus(bus);
    const dashboard = new TerminalDashboard({ source: model, stream, env: TERMINAL_ENV, beat: () => undefined });
    dashboard.start();
    await sleep(100);
    await dashboard.stop();
    recorder.close();
    const frame = stream.text.slice(stream.text.lastIndexOf('\x1b[H')).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    expect(frame).toContain('ORDER FAILURES  timeout_exhausted 2  min_notional 1');
    expect(Math.max(...frame.split('\n').map((line) => line.length))).toBeGreaterThan(40);
    for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('draws in place on a terminal: positions, bus events with their source, failures by reason, loop health', async () => {
    const stream = new CapturingStream(true, 110, 32);
    const model = busyModel();
    const { bus, recorder } = busWithRecorder();
    model.attachBus(bus);
    let beats = 0;
    const dashboard = new TerminalDashboard({ source: model, stream, env: TERMINAL_ENV, beat: () => beats++ });
    expect(dashboard.mode).toBe('tty');
    dashboard.start();
    bus.emit('BUY_FILLED', 'BTC/USDT @ $45000.00');
    await bus.idle();
    await sleep(300);
    await dashboard.stop();
    recorder.close();
    const text = stream.text;
    expect(text.startsWith('\x1b[?25l\x1b[2J\x1b[H')).toBe(true);
    expect(text.endsWith('\x1b[?25h')).toBe(true);
    const lastFrame = text.slice(text.lastIndexOf('\x1b[H'));
    const plain = lastFrame.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    expect(plain).toMatch(/BTC\/USDT\s+0\.01\s+45000\.00\s+45100\.00\s+\+1\.00\s+dec_20220103_100500_00a1b2/);
    expect(plain).toMatch(/BUY_FILLED\s+BTC\/USDT @ \$45000\.00  src\/ui\/terminal-dashboard\.test\.ts:\d+/);
    expect(plain).toContain('ORDER FAILURES  timeout_exhausted 2  min_notional 1');
    expect(plain).toContain('LOOPS  DecisionLoop ok 0.2s  DustSweeper STALLED 1m35s');
    for (const line of plain.split('\n')) expect(line.length).toBeLessThanOrEqual(110);
    expect(beats).toBeGreaterThanOrEqual(2);
  });

  it('gives the terminal back (cursor shown, resize listener removed) when its last frame fails', async () => {
    const stream = new CapturingStream(true);
    const model = busyModel();
    let failing = false;
    model.setLoopSource(() => {
      if (failing) throw new Error('heartbeat unavailable');
      return [];
    });
    const errors: string[] = [];
    const dashboard = new TerminalDashboard({ source: model, stream, env: TERMINAL_ENV, beat: () => undefined, onError: (error) => errors.push(String(error)) });
    dashboard.start();
    await sleep(50);
    expect(stream.listenerCount('resize')).toBe(1);
    failing = true;
    await dashboard.stop();
    expect(errors).toEqual(['Error: heartbeat unavailable']);
    expect(stream.text.endsWith('\x1b[?25h')).toBe(true);
    expect(stream.listenerCount('resize')).toBe(0);
  });

  it('redraws at most maxFps times a second however often the engine updates the model', async () => {
    const stream = new CapturingStream(true);
    const model = busyModel();
    const dashboard = new TerminalDashboard({ source: model, stream, env: TERMINAL_ENV, maxFps: 4 });
    dashboard.start();
    const price = Decimal.parse('45000');
    let updates = 0;
    const until = Date.now() + 1000;
    while (Date.now() < until) {
      for (let i = 0; i < 1000; i++) model.setPrice('BTC/USDT', price.add(Decimal.from(updates++ % 100)));
      await sleep(1);
    }
    await dashboard.stop();
    expect(updates).toBeGreaterThan(10_000);
    // the first frame, one per 250 ms tick in the second, and the final frame
    expect(dashboard.written).toBeGreaterThanOrEqual(3);
    expect(dashboard.written).toBeLessThanOrEqual(7);
  });

  it('prints plain lines with no escape codes when output is piped: each event once, and a summary', async () => {
    const stream = new CapturingStream(false);
    const model = busyModel();
    const { bus, recorder } = busWithRecorder();
    model.attachBus(bus);
    const dashboard = new TerminalDashboard({ source: model, stream, summaryIntervalMs: 100_000 });
    expect(dashboard.mode).toBe('plain');
    dashboard.start();
    bus.emit('BUY_FILLED', 'BTC/USDT @ $45000.00');
    bus.emit('SELL_FILLED', 'BTC/USDT @ $45500.00 pnl +4.55');
    await bus.idle();
    await sleep(600);
    await dashboard.stop();
    recorder.close();
    const text = stream.text;
    expect(text).not.toContain('\x1b');
    const lines = text.trimEnd().split('\n');
    expect(lines.filter((l) => l.includes('BUY_FILLED'))).toHaveLength(1);
    expect(lines.find((l) => l.includes('SELL_FILLED'))).toMatch(/^\[\d\d:\d\d:\d\dZ\] SELL_FILLED BTC\/USDT @ \$45500\.00 pnl \+4\.55 \(src\/ui\/terminal-dashboard\.test\.ts:\d+\)$/);
    // one summary at start, one at stop
    expect(lines.filter((l) => l.includes('| positions=1 (BTC/USDT 0.01@45000.00 uPnL +1.00) |'))).toHaveLength(2);
    expect(lines.at(-1)).toContain('failures=timeout_exhausted=2 min_notional=1');
  });

  it('says how many events it could not print when more arrived than the model keeps', async () => {
    const stream = new CapturingStream(false);
    const model = busyModel();
    const dashboard = new TerminalDashboard({ source: model, stream });
    dashboard.start();
    for (let i = 0; i < 80; i++) model.addEvent({ type: 'LOG', message: `m${i}`, source: 'src/x.ts:1', timestamp: '10:00:00' });
    await dashboard.stop();
    expect(stream.text).toContain('[10:00:00Z] ... 30 dashboard events not shown (all are in logs/dashboard.jsonl)');
    expect(stream.text).toContain('LOG m79 (src/x.ts:1)');
    expect(stream.text).not.toContain('LOG m29 ');
  });

  it('prints the plain lines, not frames, on a terminal whose TERM is dumb (it cannot move the cursor or clear)', async () => {
    const stream = new CapturingStream(true);
    const model = busyModel();
    const { bus, recorder } = busWithRecorder();
    model.attachBus(bus);
    const dashboard = new TerminalDashboard({ source: model, stream, env: { TERM: 'dumb' }, summaryIntervalMs: 100_000 });
    expect(dashboard.mode).toBe('plain');
    dashboard.start();
    bus.emit('BUY_FILLED', 'BTC/USDT @ $45000.00');
    await bus.idle();
    await sleep(300);
    await dashboard.stop();
    recorder.close();
    expect(stream.text).not.toContain('\x1b');
    const lines = stream.text.trimEnd().split('\n');
    expect(lines.find((l) => l.includes('BUY_FILLED'))).toMatch(/^\[\d\d:\d\d:\d\dZ\] BUY_FILLED BTC\/USDT @ \$45000\.00 \(/);
    expect(lines.filter((l) => / bars=\d+ \| positions=/.test(l))).toHaveLength(2);
    // Any other TERM on a terminal keeps the live frame.
    expect(new TerminalDashboard({ source: model, stream: new CapturingStream(true), env: { TERM: 'xterm-256color' } }).mode).toBe('tty');
  });

  it('writes nothing when disabled', async () => {
    const stream = new CapturingStream(true);
    const dashboard = new TerminalDashboard({ source: busyModel(), stream, enabled: false, beat: () => { throw new Error('a disabled dashboard must not beat'); } });
    expect(dashboard.mode).toBe('off');
    dashboard.start();
    await sleep(50);
    await dashboard.stop();
    expect(stream.chunks).toEqual([]);
  });
});

describe('TerminalDashboard: alert lines and the live frame', () => {
  const fired: AlertTransition = {
    kind: 'fired', alertId: 'alert_20220103_100500_ab12', rule: 'order_failure_rate', subject: 'orders', severity: 'critical',
    message: '6 of 6 order intents failed', evidence: [], nextCommand: 'tradetrace failures', at: Date.now(),
  };
  /** The order in which stdout and stderr were written, as one terminal shows them. */
  function terminalPair(columns: number, rows: number, stderrIsTTY = true) {
    const order: string[] = [];
    const stdout = new CapturingStream(true, columns, rows);
    const stderr = new CapturingStream(stderrIsTTY);
    const origOut = stdout.write.bind(stdout);
    const origErr = stderr.write.bind(stderr);
    stdout.write = ((chunk: string) => {
      order.push('stdout');
      return origOut(chunk);
    }) as typeof stdout.write;
    stderr.write = ((chunk: string) => {
      order.push(`stderr:${chunk}`);
      return origErr(chunk);
    }) as typeof stderr.write;
    return { stdout, stderr, order };
  }

  it('draws a firing alert in the frame and holds its console line while the frame is live, then writes it under the last frame (a frame erased it within 0.5 s)', async () => {
    const { stdout, stderr, order } = terminalPair(140, 40);
    const model = busyModel();
    const dashboard = new TerminalDashboard({ source: model, stream: stdout, env: TERMINAL_ENV, beat: () => undefined });
    const alertConsole = dashboard.consoleBehindFrame(stderr, (count) => `... ${count} held`);
    // Alerts start before the dashboard (config_drift fires at once): its start would clear the line too.
    alertConsole.write('config drift line\n');
    dashboard.start();
    model.recordAlert(fired);
    alertConsole.write('FIRED order_failure_rate line\n');
    await sleep(300);
    expect(stderr.chunks).toEqual([]);
    const frame = stdout.text.slice(stdout.text.lastIndexOf('\x1b[H')).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    expect(frame).toMatch(/ALERTS {2}1 firing\n {2}CRITICAL order_failure_rate \[orders\] {2}since \d\d:\d\d:\d\d \(\d+\.\ds\) {2}6 of 6 order intents failed/);
    model.recordAlert({ kind: 'resolved', alertId: fired.alertId, rule: 'order_failure_rate', subject: 'orders', message: 'back under', firedAt: fired.at, at: Date.now() });
    await sleep(300);
    const after = stdout.text.slice(stdout.text.lastIndexOf('\x1b[H')).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    expect(after).toContain('ALERTS  none firing\n  resolved order_failure_rate [orders]');
    expect(after).not.toContain('CRITICAL');
    await dashboard.stop();
    // Under the last frame and the cursor's return, in the order written.
    expect(order.slice(-3)).toEqual(['stdout', 'stdout', 'stderr:config drift line\nFIRED order_failure_rate line\n']);
    alertConsole.write('after the stop\n');
    expect(stderr.text).toBe('config drift line\nFIRED order_failure_rate line\nafter the stop\n');
  });

  it('writes alert lines at once when they cannot be erased: stderr not a terminal, or plain output', async () => {
    const { stdout, stderr } = terminalPair(140, 40, false);
    const live = new TerminalDashboard({ source: busyModel(), stream: stdout, env: TERMINAL_ENV });
    live.start();
    live.consoleBehindFrame(stderr, String).write('to a file\n');
    expect(stderr.text).toBe('to a file\n');
    await live.stop();
    const tty = new CapturingStream(true);
    const plain = new TerminalDashboard({ source: busyModel(), stream: new CapturingStream(false) });
    plain.start();
    plain.consoleBehindFrame(tty, String).write('plain\n');
    expect(tty.text).toBe('plain\n');
    await plain.stop();
  });

  it('writes the held lines on releaseHeldLines (a shutdown cut short exits before the stop), and holds no more', async () => {
    const { stdout, stderr } = terminalPair(100, 30);
    const dashboard = new TerminalDashboard({ source: busyModel(), stream: stdout, env: TERMINAL_ENV });
    const alertConsole = dashboard.consoleBehindFrame(stderr, String);
    dashboard.start();
    alertConsole.write('FIRED fatal line\n');
    expect(stderr.text).toBe('');
    dashboard.releaseHeldLines();
    expect(stderr.text).toBe('FIRED fatal line\n');
    alertConsole.write('later\n');
    expect(stderr.text).toBe('FIRED fatal line\nlater\n');
    await dashboard.stop();
    expect(stderr.text).toBe('FIRED fatal line\nlater\n');
  });

  it('keeps the newest lines when more were held than it keeps, and says how many it left out', async () => {
    const { stdout, stderr } = terminalPair(100, 30);
    const dashboard = new TerminalDashboard({ source: busyModel(), stream: stdout, env: TERMINAL_ENV });
    const alertConsole = dashboard.consoleBehindFrame(stderr, (count) => `... ${count} left out`);
    dashboard.start();
    for (let i = 0; i < MAX_HELD_WRITES + 5; i++) alertConsole.write(`line ${i}\n`);
    await dashboard.stop();
    const lines = stderr.text.trimEnd().split('\n');
    expect(lines[0]).toBe('... 5 left out');
    expect(lines[1]).toBe('line 5');
    expect(lines).toHaveLength(MAX_HELD_WRITES + 1);
  });
});

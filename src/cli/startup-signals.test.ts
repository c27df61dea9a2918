import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { StartupSignals, type TerminalStream } from './startup-signals.js';

/** A terminal stream that records what is written to it; emit('error') plays a write that failed. */
class FakeTerminal extends EventEmitter implements TerminalStream {
  readonly written: string[] = [];
  write(chunk: string | Uint8Array): boolean {
    this.written.push(String(chunk));
    return true;
  }
}

describe('StartupSignals', () => {
  const listeners = (): number => process.listenerCount('SIGINT') + process.listenerCount('SIGTERM');
  let open: StartupSignals | undefined;
  afterEach(() => open?.release());

  it('keeps the first signal before the hand-over, forces on the second, and lets go once released', () => {
    const before = listeners();
    const seen: string[] = [];
    open = new StartupSignals({ onPending: (signal) => seen.push(`pending ${signal}`), onForced: (signal, code) => seen.push(`forced ${signal} ${code}`) });
    expect(listeners()).toBe(before + 2);
    process.emit('SIGTERM');
    expect(seen).toEqual(['pending SIGTERM']);
    process.emit('SIGINT');
    expect(seen).toEqual(['pending SIGTERM', 'forced SIGINT 130']);
    open.release();
    expect(listeners()).toBe(before);
  });

  it('hands the pending signal over once, then stays installed but quiet until released (the session is ending)', () => {
    const seen: string[] = [];
    open = new StartupSignals({ onPending: (signal) => seen.push(`pending ${signal}`), onForced: (signal) => seen.push(`forced ${signal}`) });
    expect(open.takeOver()).toBeUndefined();
    process.emit('SIGINT');
    process.emit('SIGINT');
    expect(seen).toEqual([]);
    const second = new StartupSignals({ onPending: (signal) => seen.push(`pending ${signal}`), onForced: (signal) => seen.push(`forced ${signal}`) });
    try {
      process.emit('SIGINT');
      expect(second.takeOver()).toBe('SIGINT');
      expect(seen).toEqual(['pending SIGINT']);
    } finally {
      second.release();
    }
  });

  it('keeps SIGHUP (a closed terminal) and SIGQUIT as it keeps SIGINT, and a second SIGHUP forces with 129', () => {
    const seen: string[] = [];
    const terminal = { streams: [new FakeTerminal()], fds: [] };
    open = new StartupSignals({ onPending: (signal) => seen.push(`pending ${signal}`), onForced: (signal, code) => seen.push(`forced ${signal} ${code}`), terminal });
    process.emit('SIGHUP');
    expect(seen).toEqual(['pending SIGHUP']);
    process.emit('SIGHUP');
    expect(seen).toEqual(['pending SIGHUP', 'forced SIGHUP 129']);
    open.release();
    const quit = new StartupSignals({ onPending: (signal) => seen.push(`pending ${signal}`), onForced: (signal, code) => seen.push(`forced ${signal} ${code}`), terminal });
    try {
      process.emit('SIGQUIT');
      process.emit('SIGQUIT');
      expect(seen.slice(2)).toEqual(['pending SIGQUIT', 'forced SIGQUIT 131']);
    } finally {
      quit.release();
    }
  });

  it('after SIGHUP, a write to the terminal that fails (EIO, EPIPE) is no uncaught exception, whenever the signal came', () => {
    const stdout = new FakeTerminal();
    const stderr = new FakeTerminal();
    const eio = Object.assign(new Error('write EIO'), { code: 'EIO' });
    // Unheard, an 'error' event throws: FATAL mid-shutdown, or a crash after SESSION_END.
    expect(() => stderr.emit('error', eio)).toThrow('write EIO');
    open = new StartupSignals({ onPending: () => undefined, onForced: () => undefined, terminal: { streams: [stdout, stderr], fds: [] } });
    // After the hand-over too: the session's own handlers stop it then, but the writes that follow are the same.
    open.takeOver();
    process.emit('SIGHUP');
    expect(() => stdout.emit('error', eio)).not.toThrow();
    expect(() => stderr.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).not.toThrow();
    // The empty write that makes a hung-up tty report itself while the session still records; it shows nothing.
    expect([stdout.written, stderr.written]).toEqual([[''], ['']]);
    process.emit('SIGHUP');
    expect(stdout.listenerCount('error')).toBe(1);
  });
});

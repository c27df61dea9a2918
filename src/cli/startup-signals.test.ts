import { afterEach, describe, expect, it } from 'vitest';
import { StartupSignals } from './startup-signals.js';

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
});

import { describe, expect, it } from 'vitest';
import { steadyInterval, type IntervalClock } from './steady-interval.js';

/** A clock whose timers fire `lateMs` after they are due, as a busy thread's do. */
function lateClock(lateMs: number): IntervalClock & { advanceTo(ms: number): void; fire(): void; pending(): number } {
  let now = 1000;
  let due: { at: number; callback: () => void } | undefined;
  return {
    now: () => now,
    setTimeout: (callback, delayMs) => {
      due = { at: now + delayMs, callback };
      return due;
    },
    clearTimeout: () => {
      due = undefined;
    },
    advanceTo: (ms) => {
      now = ms;
    },
    fire: () => {
      const next = due;
      if (!next) throw new Error('no timer armed');
      due = undefined;
      now = Math.max(now, next.at + lateMs);
      next.callback();
    },
    pending: () => (due ? due.at : Number.NaN),
  };
}

describe('steadyInterval', () => {
  it('keeps each call on its slot however late the timers fire: the lateness does not add up', () => {
    const clock = lateClock(3);
    const ticks: number[] = [];
    steadyInterval(() => ticks.push(clock.now()), 30_000, clock);
    for (let i = 0; i < 100; i++) clock.fire();
    // setInterval would have put the 100th call 100 x 3 ms late; here each is 3 ms after its slot.
    expect(ticks.slice(0, 3)).toEqual([31_003, 61_003, 91_003]);
    expect(ticks[99]).toBe(1000 + 100 * 30_000 + 3);
  });

  it('after a stall of several periods calls once, then goes on at the next slot ahead (no burst)', () => {
    const clock = lateClock(0);
    const ticks: number[] = [];
    steadyInterval(() => ticks.push(clock.now()), 1000, clock);
    clock.fire();
    clock.advanceTo(5_500); // frozen (SIGSTOP, a debugger) past three slots
    clock.fire();
    expect(ticks).toEqual([2000, 5500]);
    expect(clock.pending()).toBe(6000);
  });

  it('stops: no call after stop, even one already due', () => {
    const clock = lateClock(0);
    let calls = 0;
    const timer = steadyInterval(() => calls++, 1000, clock);
    clock.fire();
    timer.stop();
    expect(Number.isNaN(clock.pending())).toBe(true);
    expect(calls).toBe(1);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMEOUT_MS, setLongTimeout } from './long-timeout.js';

const DAY = 24 * 60 * 60 * 1000;

describe('setLongTimeout', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits the whole of a delay longer than setTimeout takes (30 days), then runs once', () => {
    vi.useFakeTimers();
    const run = vi.fn();
    setLongTimeout(run, 30 * DAY);
    vi.advanceTimersByTime(MAX_TIMEOUT_MS + 1000);
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(30 * DAY - MAX_TIMEOUT_MS - 2000);
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1000);
    expect(run).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60 * DAY);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('runs a short delay as setTimeout does, and never once cleared, in either step', () => {
    vi.useFakeTimers();
    const short = vi.fn();
    setLongTimeout(short, 5000);
    vi.advanceTimersByTime(5000);
    expect(short).toHaveBeenCalledTimes(1);
    const cleared = vi.fn();
    const long = setLongTimeout(cleared, 40 * DAY);
    vi.advanceTimersByTime(MAX_TIMEOUT_MS + 1);
    long.clear();
    vi.advanceTimersByTime(40 * DAY);
    expect(cleared).not.toHaveBeenCalled();
  });
});

import { describe, expect, it } from 'vitest';
import { stopComponent } from './component-stop.js';

describe('stopComponent', () => {
  it('reports a stop that finishes in time with its duration', async () => {
    const result = await stopComponent({ name: 'engine', order: 0, stop: () => new Promise((r) => setTimeout(r, 30)) }, 1000);
    expect(result.name).toBe('engine');
    expect(result.result).toBe('stopped');
    expect(result.duration_ms).toBeGreaterThanOrEqual(25);
  });

  it('abandons a stop that hangs at the timeout and aborts its signal', async () => {
    let aborted: unknown;
    const result = await stopComponent(
      {
        name: 'market_data',
        order: 0,
        stop: (signal) =>
          new Promise<void>(() => {
            signal.addEventListener('abort', () => {
              aborted = signal.reason as unknown;
            });
          }),
      },
      50,
    );
    expect(result.result).toBe('timeout');
    expect(result.duration_ms).toBeGreaterThanOrEqual(45);
    expect(String(aborted)).toContain('market_data did not stop within 50 ms');
  });

  it('reports a stop that throws, synchronously or not, as error with its message', async () => {
    const sync = await stopComponent({ name: 'a', order: 0, stop: () => { throw new Error('sync boom'); } }, 1000);
    const async = await stopComponent({ name: 'b', order: 0, stop: () => Promise.reject(new Error('async boom')) }, 1000);
    expect(sync).toMatchObject({ result: 'error', error: 'sync boom' });
    expect(async).toMatchObject({ result: 'error', error: 'async boom' });
  });
});

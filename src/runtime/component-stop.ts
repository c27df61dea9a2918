/** A part of the bot that starts and stops with it (engine, portfolio, market data, store). */
export interface ComponentSpec {
  readonly name: string;
  /** Start ascending, stop descending; ties stop in reverse registration order. */
  readonly order: number;
  readonly start?: () => void | Promise<void>;
  /** Aborted when its stop timeout expires, so it can give up what it was waiting on. */
  readonly stop: (signal: AbortSignal) => void | Promise<void>;
  /** Overrides the coordinator's per-component stop timeout. */
  readonly stopTimeoutMs?: number;
}

export type StopResult = 'stopped' | 'timeout' | 'error';

/** One entry of SHUTDOWN_COMPLETE's `components`. */
export interface ComponentStop {
  readonly name: string;
  readonly result: StopResult;
  readonly duration_ms: number;
  readonly error?: string;
}

/**
 * Runs one component's stop, bounded by `timeoutMs`. A stop that hangs is abandoned (its promise
 * may still settle later, harmlessly) and reported as `timeout`; one that throws as `error`.
 */
export async function stopComponent(spec: ComponentSpec, timeoutMs: number): Promise<ComponentStop> {
  const controller = new AbortController();
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const elapsed = (): number => Math.round((performance.now() - started) * 10) / 10;
  try {
    const stopping = Promise.resolve().then(() => spec.stop(controller.signal)).then(() => 'stopped' as const);
    const outcome = await Promise.race([stopping, expired]);
    if (outcome === 'timeout') {
      controller.abort(new Error(`${spec.name} did not stop within ${timeoutMs} ms`));
      // The abandoned stop may still reject; that must not become an unhandled rejection.
      stopping.catch(() => undefined);
    }
    return { name: spec.name, result: outcome, duration_ms: elapsed() };
  } catch (error) {
    return { name: spec.name, result: 'error', duration_ms: elapsed(), error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

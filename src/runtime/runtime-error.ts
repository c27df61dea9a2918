export type RuntimeErrorCode =
  /** A component or loop name is already registered. */
  | 'duplicate_name'
  /** More loops than the shared beat board has slots for. */
  | 'too_many_loops'
  /** An option is out of range (a period, a timeout, an interval). */
  | 'invalid_option'
  /** Registration after shutdown began. */
  | 'shutdown_in_progress'
  /** A component's start function failed. */
  | 'component_start_failed'
  /** The heartbeat watchdog thread could not start or died. */
  | 'watchdog_failed'
  /** A dashboard event type that is not an UPPER_SNAKE identifier. */
  | 'invalid_dashboard_event_type';

const RETRYABLE: Readonly<Record<RuntimeErrorCode, boolean>> = {
  duplicate_name: false,
  too_many_loops: false,
  invalid_option: false,
  shutdown_in_progress: false,
  component_start_failed: false,
  watchdog_failed: true,
  invalid_dashboard_event_type: false,
};

/** A misuse or failure of the runtime layer (coordinator, watchdog, dashboard bus). */
export class RuntimeError extends Error {
  override readonly name = 'RuntimeError';
  readonly retryable: boolean;

  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.retryable = RETRYABLE[code];
  }
}

/** Checks a duration option: a finite number of milliseconds within [min, max]. */
export function requireMs(name: string, value: number, min: number, max = 24 * 3600_000): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RuntimeError('invalid_option', `${name} must be a number of milliseconds in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

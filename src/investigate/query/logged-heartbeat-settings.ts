import { loggedDurationMs } from '../../domain/unit-duration.js';

/**
 * What a session's config, as it logged it (its CONFIG_HASH line, or sessions/<id>/config.json),
 * says of its heartbeat. Each field is absent where the config does not say, or says something no
 * config check would have let through (a zero interval, a multiple below 1): the reader then falls
 * back to what it knows, instead of judging a session by a setting it never ran with.
 */
export interface LoggedHeartbeatSettings {
  /** runtime.heartbeat_interval: how often the watchdog writes SHUTDOWN_HEARTBEAT. */
  readonly intervalMs?: number;
  /** runtime.stall_multiple: how many intervals of a loop's silence the watchdog calls a stall. */
  readonly stallMultiple?: number;
  /** alerts.heartbeat_missing_multiple: how many intervals of silence the session's own alerts allow. */
  readonly missingMultiple?: number;
}

function section(config: unknown, name: string): Readonly<Record<string, unknown>> {
  const value = config !== null && typeof config === 'object' ? (config as Record<string, unknown>)[name] : undefined;
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

function multiple(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 1 ? value : undefined;
}

export function loggedHeartbeatSettings(config: unknown): LoggedHeartbeatSettings {
  const runtime = section(config, 'runtime');
  const ms = loggedDurationMs(runtime['heartbeat_interval']);
  const intervalMs = ms !== undefined && ms > 0 ? ms : undefined;
  const stallMultiple = multiple(runtime['stall_multiple']);
  const missingMultiple = multiple(section(config, 'alerts')['heartbeat_missing_multiple']);
  return {
    ...(intervalMs !== undefined ? { intervalMs } : {}),
    ...(stallMultiple !== undefined ? { stallMultiple } : {}),
    ...(missingMultiple !== undefined ? { missingMultiple } : {}),
  };
}

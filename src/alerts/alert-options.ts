import { z } from 'zod';
import { ALERT_RULES, type AlertRule } from '../recorder/events/alert-events.js';

/**
 * Every knob of the alert rules, as plain typed values: the CLI maps flags onto these and the bot's
 * wiring maps its config onto these, so this layer never reads config itself.
 */
export interface AlertOptions {
  /** Rules that are evaluated; the others never fire. */
  readonly rules: readonly AlertRule[];
  readonly heartbeat: {
    /**
     * Heartbeat interval in seconds, for every session; null: each session's own, the
     * runtime.heartbeat_interval its CONFIG_HASH line logged, else learned (the median gap between its
     * recent interval heartbeats). Learned gaps never make a configured interval longer.
     */
    readonly intervalS: number | null;
    /** Interval assumed for a session whose config was not seen, until two of its heartbeats were (the runtime's default is 30 s). */
    readonly defaultIntervalS: number;
    /** Fires when no heartbeat came for longer than this many intervals. */
    readonly missingFactor: number;
    /**
     * A session's own alerts.heartbeat_missing_multiple (from its CONFIG_HASH line) replaces
     * `missingFactor` for it: a watcher nobody gave a multiple judges each bot as the bot judges itself.
     * false: `missingFactor` was chosen (a flag, the caller's config) and applies to every session.
     */
    readonly factorFromSession: boolean;
  };
  readonly orderFailure: {
    /** Fires when failed intents / intents in the window exceeds this fraction (0..1). */
    readonly threshold: number;
    readonly windowS: number;
    /** Fewer intents than this in the window never fire (one failure out of one is not a rate). */
    readonly minIntents: number;
    /**
     * An intent the router gave up on after timeouts (ORDER_FAILED timeout_exhausted) may still fill: the
     * order watcher looks it up once a bar and writes a late ORDER_FILLED. It counts as in flight this
     * long after the failure, then as a failure (a late fill still turns it into a success); 0 counts it at once.
     */
    readonly lateFillGraceS: number;
  };
  readonly configDrift: {
    /** Resolve a drift alert this long after it fired; null: only a later session running the drifted config resolves it. */
    readonly resolveAfterS: number | null;
  };
}

const positive = (name: string) => z.number({ error: `${name} must be a number` }).positive({ error: `${name} must be > 0` });

const optionsSchema = z.strictObject({
  rules: z.array(z.enum(ALERT_RULES, { error: `rules must be some of ${ALERT_RULES.join(', ')}` })).default([...ALERT_RULES]),
  heartbeat: z
    .strictObject({
      intervalS: positive('heartbeat.intervalS').nullable().default(null),
      defaultIntervalS: positive('heartbeat.defaultIntervalS').default(30),
      missingFactor: z.number().min(1, { error: 'heartbeat.missingFactor must be >= 1 (a multiple of the interval)' }).default(3),
      factorFromSession: z.boolean().default(false),
    })
    .prefault({}),
  orderFailure: z
    .strictObject({
      threshold: z.number().min(0, { error: 'orderFailure.threshold must be a fraction in [0, 1)' }).lt(1, { error: 'orderFailure.threshold must be a fraction in [0, 1)' }).default(0.5),
      windowS: positive('orderFailure.windowS').default(600),
      minIntents: z.number().int({ error: 'orderFailure.minIntents must be an integer' }).min(1, { error: 'orderFailure.minIntents must be >= 1' }).default(5),
      // One 1-minute bar for the order watcher to look the order up, and slack for a slow lookup.
      lateFillGraceS: z.number({ error: 'orderFailure.lateFillGraceS must be a number' }).min(0, { error: 'orderFailure.lateFillGraceS must be >= 0' }).default(90),
    })
    .prefault({}),
  configDrift: z.strictObject({ resolveAfterS: positive('configDrift.resolveAfterS').nullable().default(null) }).prefault({}),
});

type DeepPartial<T> = { [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object | null ? DeepPartial<T[K]> : T[K] };
export type AlertOptionsInput = DeepPartial<AlertOptions>;

export class AlertOptionsError extends Error {
  readonly code = 'invalid_alert_options';
  readonly retryable = false;
  constructor(readonly problems: readonly string[]) {
    super(`invalid alert options: ${problems.join('; ')}`);
    this.name = 'AlertOptionsError';
  }
}

export type AlertOptionsResult = { ok: true; value: AlertOptions } | { ok: false; error: AlertOptionsError };

/** Fills defaults and checks every value; each problem names the option and what was expected. */
export function parseAlertOptions(input: AlertOptionsInput = {}): AlertOptionsResult {
  const result = optionsSchema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.join('.');
    return issue.message.startsWith(path) || path === '' ? issue.message : `${path}: ${issue.message}`;
  });
  return { ok: false, error: new AlertOptionsError(problems) };
}

/** parseAlertOptions for callers whose options are code, not user input: throws on a bad value. */
export function alertOptions(input: AlertOptionsInput = {}): AlertOptions {
  const result = parseAlertOptions(input);
  if (!result.ok) throw result.error;
  return result.value;
}

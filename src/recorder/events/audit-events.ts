import { z } from 'zod';
import { defineEvent } from './event-definition.js';
import { field } from './fields.js';

export const SESSION_END_REASONS = [
  'completed',
  'data_end',
  'duration_reached',
  'signal',
  'fatal',
  'error',
  // Stopped before trading began: another bot holds the data dir, a candle file or market the config
  // cannot use. Its config never ran, so the next session's drift check compares past it.
  'refused',
] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

export const configChangeSchema = z.object({
  path: z.string().describe('dotted path of the changed key'),
  from: z.unknown().describe('previous value ("[changed]" for secrets)'),
  to: z.unknown().describe('current value ("[changed]" for secrets)'),
  source: z.string().optional().describe("where the current value came from: 'file <path>', 'env <NAME>', 'flag <flag>' or 'default'. Absent in lines written before it existed"),
});
export type ConfigChange = z.infer<typeof configChangeSchema>;

/** What was configured and started: the audit trail of every session. */
export const auditEvents = {
  CONFIG_HASH: defineEvent({
    channel: 'audit',
    level: 'info',
    meaning: "The effective config at startup (secrets replaced by their hash) and its hash. The spec's JSON example names it config_snapshot (and CONFIG_DIFF, CONFIG_OVERRIDES in lowercase); its table, headings and greps use the uppercase names, as every log line does: grep CONFIG_HASH.",
    requires: 'none',
    fields: {
      config_hash: field.id('first 16 hex chars of sha256 over the canonical JSON of the config'),
      config: field.json(z.record(z.string(), z.unknown()), 'the effective config, redacted'),
      sources: field
        .json(z.record(z.string(), z.string()), "where each value not at its default came from: path -> 'file <path>', 'env <NAME>' or 'flag <flag>' (a path not listed is the default). Absent in lines written before it existed")
        .optional(),
    },
  }),
  CONFIG_DIFF: defineEvent({
    channel: 'audit',
    level: 'warn',
    meaning: "The config differs from the previous session's; lists every changed path.",
    requires: 'none',
    fields: {
      message: field.text('Config drift detected: <prev8> -> <cur8>'),
      prev_hash: field.id("previous session's config hash"),
      current_hash: field.id("this session's config hash"),
      prev_session: field.id('the session compared against'),
      changes: field.json(z.array(configChangeSchema), 'every changed path with old and new value'),
    },
  }),
  CONFIG_OVERRIDES: defineEvent({
    channel: 'audit',
    level: 'info',
    meaning: 'Config values set by environment variables or flags rather than the file or defaults.',
    requires: 'none',
    fields: {
      message: field.text('Configuration overrides detected: <names>'),
      overrides: field.json(z.record(z.string(), z.string()), 'name -> "value (from env|flag)"'),
    },
  }),
  SESSION_START: defineEvent({
    channel: 'audit',
    level: 'info',
    meaning: 'A session started: mode, version, process and where it writes.',
    requires: 'none',
    fields: {
      mode: field.oneOf(['paper', 'live', 'demo', 'backtest'], 'what kind of session'),
      version: field.id('tradetrace version'),
      pid: field.int('process id'),
      host: field.id('host name'),
      data_dir: field.text('data directory (logs, sessions, state)'),
      config_hash: field.id("the session's config hash"),
      argv: field.json(z.array(z.string()), 'command-line arguments').optional(),
    },
  }),
  SESSION_END: defineEvent({
    channel: 'audit',
    level: 'info',
    meaning: 'The session ended, with why and a summary.',
    requires: 'none',
    fields: {
      reason: field.oneOf(SESSION_END_REASONS, 'why the session ended'),
      exit_code: field.int('process exit code'),
      duration_ms: field.number('session length'),
      summary: field.json(z.record(z.string(), z.unknown()), 'counts and PnL of the session').optional(),
      error_code: field.text('machine-readable code of the failure that ended the session (reasons error, refused, fatal)').optional(),
      message: field.text('what failed, in words (reasons error, refused, fatal)').optional(),
    },
  }),
};

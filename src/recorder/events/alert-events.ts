import { z } from 'zod';
import { defineEvent } from './event-definition.js';
import { field } from './fields.js';

export const ALERT_RULES = ['config_drift', 'heartbeat_missing', 'order_failure_rate', 'fatal'] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

export const alertEvidenceSchema = z.object({
  file: z.string().describe('log file of the line'),
  line: z.number().int().describe('line number in that file').optional(),
  event_type: z.string().describe('event type of the line'),
  ts: z.string().describe('timestamp of the line'),
  id: z.string().describe('decision, intent or session id the line is about').optional(),
  value: z.unknown().describe('the value that matters').optional(),
});

/** Alerts raised by the in-bot engine or the external watcher. */
export const alertEvents = {
  ALERT_FIRED: defineEvent({
    channel: 'alerts',
    level: 'warn',
    meaning: 'An alert rule fired; carries its evidence and the command to investigate.',
    requires: 'none',
    fields: {
      alert_id: field.id('id shared by this firing and its resolution'),
      rule: field.oneOf(ALERT_RULES, 'the rule that fired'),
      subject: field.id('what the alert is about (session, symbol, loop)'),
      severity: field.oneOf(['warning', 'critical'], 'how urgent'),
      message: field.text('the alert in plain words'),
      evidence: field.json(z.array(alertEvidenceSchema), 'the log lines that made it fire'),
      next_command: field.text('the command to run next, e.g. tradetrace health'),
    },
  }),
  ALERT_RESOLVED: defineEvent({
    channel: 'alerts',
    level: 'info',
    meaning: 'A fired alert is no longer true.',
    requires: 'none',
    fields: {
      alert_id: field.id('id of the firing this resolves'),
      rule: field.oneOf(ALERT_RULES, 'the rule'),
      subject: field.id('what the alert was about'),
      message: field.text('why it resolved'),
      duration_s: field.number('how long it was firing'),
    },
  }),
};

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLine } from '../../recorder/line-parser.js';
import type { AlertRule } from '../../recorder/events/alert-events.js';

export interface PreviouslyOpen {
  readonly alertId: string;
  readonly rule: AlertRule;
  readonly subject: string;
  readonly firedAt: number;
}

export const WATCHER_PREFIX = 'watcher_';

/**
 * Alerts a watcher fired and never resolved (from `logs/alerts.jsonl`), keyed by rule and subject.
 * A restarted watcher takes them over instead of firing the same incident again under a new id.
 * In-bot alerts are left alone: they belong to the bot's session.
 */
export function openWatcherAlerts(logsDir: string): Map<string, PreviouslyOpen> {
  const open = new Map<string, PreviouslyOpen>();
  let text: string;
  try {
    text = readFileSync(join(logsDir, 'alerts.jsonl'), 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return open;
    throw error;
  }
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    const parsed = parseLine(raw);
    if (!parsed.ok || !parsed.value.session_id.startsWith(WATCHER_PREFIX)) continue;
    const line = parsed.value;
    if (line.event_type === 'ALERT_FIRED') {
      open.set(alertKey(line.rule, line.subject), { alertId: line.alert_id, rule: line.rule, subject: line.subject, firedAt: Date.parse(line.ts) });
    } else if (line.event_type === 'ALERT_RESOLVED') {
      const key = alertKey(line.rule, line.subject);
      if (open.get(key)?.alertId === line.alert_id) open.delete(key);
    }
  }
  return open;
}

export function alertKey(rule: AlertRule, subject: string): string {
  return `${rule}\u0000${subject}`;
}

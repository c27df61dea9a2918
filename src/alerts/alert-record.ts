import { dataDirArg } from '../domain/shell-word.js';
import type { Recorder } from '../recorder/recorder.js';
import type { AlertTransition } from './alert-transition.js';

/** Writes a transition as ALERT_FIRED / ALERT_RESOLVED (channel `alerts`, so `logs/alerts.jsonl`). */
export function recordTransition(recorder: Recorder, transition: AlertTransition): void {
  if (transition.kind === 'fired') {
    recorder.emit('ALERT_FIRED', {
      alert_id: transition.alertId,
      rule: transition.rule,
      subject: transition.subject,
      severity: transition.severity,
      message: transition.message,
      evidence: transition.evidence.map((e) => ({ ...e })),
      next_command: transition.nextCommand,
    });
  } else {
    recorder.emit('ALERT_RESOLVED', {
      alert_id: transition.alertId,
      rule: transition.rule,
      subject: transition.subject,
      message: transition.message,
      duration_s: Math.max(0, (transition.at - transition.firedAt) / 1000),
    });
  }
}

/** The transition as one JSON document: what the webhook posts and `tradetrace alerts --json` prints. */
export function transitionJson(transition: AlertTransition, source: string): Record<string, unknown> {
  const common = {
    status: transition.kind,
    alert_id: transition.alertId,
    rule: transition.rule,
    subject: transition.subject,
    message: transition.message,
    at: new Date(transition.at).toISOString(),
    source,
  };
  return transition.kind === 'fired'
    ? { ...common, severity: transition.severity, evidence: transition.evidence, next_command: transition.nextCommand }
    : { ...common, fired_at: new Date(transition.firedAt).toISOString(), duration_s: (transition.at - transition.firedAt) / 1000 };
}

/**
 * One human line per transition, for the console and the offline listing. `dataDir` is named in the
 * next command when that command would not find it by itself (see dataDirArg); the recorded and
 * posted next_command stays without it, as the rule wrote it.
 */
export function transitionText(transition: AlertTransition, dataDir: string | undefined): string {
  const at = new Date(transition.at).toISOString();
  if (transition.kind === 'fired') {
    return `${at} FIRED    ${transition.rule} [${transition.subject}] ${transition.severity}: ${transition.message}\n    next: ${transition.nextCommand}${dataDirArg(dataDir)}  (alert ${transition.alertId})`;
  }
  const duration = ((transition.at - transition.firedAt) / 1000).toFixed(1);
  return `${at} RESOLVED ${transition.rule} [${transition.subject}] after ${duration} s: ${transition.message}  (alert ${transition.alertId})`;
}

import { readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { FileSink } from '../../recorder/file-sink.js';
import { Recorder } from '../../recorder/recorder.js';
import { recordTransition } from '../alert-record.js';
import type { AlertFired, AlertResolved } from '../alert-transition.js';
import { alertKey, openWatcherAlerts } from './open-alerts.js';

const AT = Date.parse('2026-01-01T00:00:00.000Z');

function fired(alertId: string, rule: AlertFired['rule'], subject: string): AlertFired {
  return { kind: 'fired', alertId, rule, subject, severity: 'critical', message: `${rule} on ${subject}`, evidence: [], nextCommand: `tradetrace why --session ${subject}`, at: AT };
}

function resolved(of: AlertFired): AlertResolved {
  return { kind: 'resolved', alertId: of.alertId, rule: of.rule, subject: of.subject, message: 'ended', firedAt: AT, at: AT + 1000 };
}

describe('openWatcherAlerts', () => {
  it('finds an open alert whose ALERT_FIRED was rotated out of alerts.jsonl (and then gzipped), oldest file first', () => {
    const logs = join(tempDir('tradetrace-open-alerts-'), 'logs');
    // rotateBytes 1: every line is rotated right after it is written, so each lands in its own stamped file.
    const recorder = new Recorder({ sessionId: 'watcher_20260101_000000_1', sink: new FileSink(logs, { rotateBytes: 1, checkEveryLines: 1 }) });
    const hung = fired('alt_hung', 'heartbeat_missing', 'session_20260101_000000');
    const died = fired('alt_died', 'fatal', 'session_20260101_000100');
    recordTransition(recorder, hung);
    recordTransition(recorder, died);
    recordTransition(recorder, resolved(died));
    const kept = fired('alt_kept', 'order_failure_rate', 'session_20260101_000200');
    recordTransition(recorder, kept);
    recorder.close();

    const rotated = readdirSync(logs).filter((n) => /^alerts\..+\.jsonl$/.test(n)).sort();
    expect(rotated).toHaveLength(4);
    expect(readdirSync(logs)).not.toContain('alerts.jsonl');
    // The oldest, holding alt_hung's firing, compressed as an operator archiving old logs would.
    const oldest = join(logs, rotated[0] ?? '');
    expect(readFileSync(oldest, 'utf8')).toContain('alt_hung');
    writeFileSync(`${oldest}.gz`, gzipSync(readFileSync(oldest)));
    unlinkSync(oldest);

    const open = openWatcherAlerts(logs);
    expect([...open.keys()].sort()).toEqual([alertKey(hung.rule, hung.subject), alertKey(kept.rule, kept.subject)].sort());
    expect(open.get(alertKey(hung.rule, hung.subject))).toEqual({ alertId: 'alt_hung', rule: 'heartbeat_missing', subject: hung.subject, firedAt: expect.any(Number) as number });
    expect(open.get(alertKey(kept.rule, kept.subject))?.alertId).toBe('alt_kept');
  });

  it('reads a resolution in the current file as closing a firing in a rotated one', () => {
    const logs = join(tempDir('tradetrace-open-alerts-'), 'logs');
    const first = new Recorder({ sessionId: 'watcher_20260101_000000_1', sink: new FileSink(logs, { rotateBytes: 1, checkEveryLines: 1 }) });
    const hung = fired('alt_hung', 'heartbeat_missing', 'session_20260101_000000');
    recordTransition(first, hung);
    first.close();
    const second = new Recorder({ sessionId: 'watcher_20260101_000100_2', sink: new FileSink(logs) });
    recordTransition(second, resolved(hung));
    second.close();
    expect(readdirSync(logs).filter((n) => n.startsWith('alerts.')).length).toBe(2);
    expect(openWatcherAlerts(logs).size).toBe(0);
  });

  it('names an archived alerts file it cannot read, with the reason', () => {
    const logs = join(tempDir('tradetrace-open-alerts-'), 'logs');
    const recorder = new Recorder({ sessionId: 'watcher_20260101_000000_1', sink: new FileSink(logs, { rotateBytes: 1, checkEveryLines: 1 }) });
    recordTransition(recorder, fired('alt_hung', 'heartbeat_missing', 'session_20260101_000000'));
    recorder.close();
    const [name] = readdirSync(logs).filter((n) => n.startsWith('alerts.'));
    const broken = join(logs, `${name ?? ''}.gz`);
    // Not gzip at all: an archive cut short or overwritten.
    writeFileSync(broken, readFileSync(join(logs, name ?? '')));
    unlinkSync(join(logs, name ?? ''));
    expect(() => openWatcherAlerts(logs)).toThrow(`cannot read ${broken}: not valid gzip data (Z_DATA_ERROR)`);
  });
});


import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { LogReadError } from '../../investigate/log-read-error.js';
import { FileSink } from '../../recorder/file-sink.js';
import { Recorder } from '../../recorder/recorder.js';
import { RecorderError } from '../../recorder/recorder-error.js';
import { waitFor } from '../fixtures/processes.js';
import { Scenario, T0 } from '../fixtures/scenario.js';
import type { AlertTransition } from '../alert-transition.js';
import type { Notifier } from '../notifiers/notifier.js';
import { AlertWatcher, type AlertWatcherOptions } from './alert-watcher.js';

const SESSION = 'session_20251026_100000';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A watcher polling every 10 ms over a live session (heartbeat fresh on the watcher's clock, so nothing fires yet). */
function watch(dataDir: string, errors: unknown[], more: Partial<AlertWatcherOptions> = {}): { readonly scenario: Scenario; readonly watcher: AlertWatcher } {
  const scenario = new Scenario(dataDir);
  scenario.at(0).start(SESSION);
  scenario.at(1000).heartbeat(SESSION);
  const recorder = new Recorder({ sessionId: 'watcher_20251026_100001_1', sink: new FileSink(join(dataDir, 'logs')) });
  const watcher = new AlertWatcher({ dataDir, recorder, pollMs: 10, now: () => T0 + 2000, onError: (error) => errors.push(error), ...more });
  cleanups.push(async () => {
    await watcher.stop();
    scenario.close();
    recorder.close();
  });
  watcher.start();
  return { scenario, watcher };
}

describe('AlertWatcher: a poll that fails in its timer', () => {
  it('a log it can no longer read: stops polling and hands over one LogReadError naming the file and errno', async () => {
    const dataDir = tempDir('tradetrace-watch-error-');
    const errors: unknown[] = [];
    const { scenario } = watch(dataDir, errors);
    // The scenario's session is done writing: closed first, its writer is not the one told that the
    // file it wrote was deleted (a writer whose lines were never checked in a named file is).
    scenario.close();
    const system = join(dataDir, 'logs/system.jsonl');
    rmSync(system);
    mkdirSync(system);
    await waitFor('the watcher to report the unreadable log', () => errors.length > 0, 5_000);
    // A few more intervals: polling has stopped, so the failure is not reported again.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(errors).toHaveLength(1);
    const error = errors[0];
    expect(error).toBeInstanceOf(LogReadError);
    expect(error).toMatchObject({ path: system, errno: 'EISDIR', message: `cannot read ${system}: is a directory, not a file (EISDIR)` });
  });

  it('alerts.jsonl it cannot write: notifies the alert anyway, then hands over the RecorderError naming the file and errno', async () => {
    const dataDir = tempDir('tradetrace-watch-error-');
    const errors: unknown[] = [];
    const notified: AlertTransition[] = [];
    const { scenario } = watch(dataDir, errors, { notifiers: [collecting(notified)] });
    // After the start, which reads alerts.jsonl for alerts left open; the sink opens it at its first write.
    const alerts = join(dataDir, 'logs/alerts.jsonl');
    mkdirSync(alerts);
    expect(errors).toEqual([]);
    // A FATAL fires an alert at once: writing it is the first write to alerts.jsonl.
    scenario.at(1500).emit(SESSION, 'FATAL', { origin: 'uncaughtException', error_code: 'E_BOOM', message: 'boom' });
    await waitFor('the watcher to report the unwritable alerts file', () => errors.length > 0, 5_000);
    expect(errors).toHaveLength(1);
    const error = errors[0];
    expect(error).toBeInstanceOf(RecorderError);
    expect(error).toMatchObject({ details: { path: alerts, errno: 'EISDIR' } });
    expect(String((error as Error).message)).not.toContain('\n');
    expect(notified.map((t) => [t.kind, t.rule])).toEqual([['fired', 'fatal']]);
  });

  it('alerts.jsonl it cannot write, with onRecordFailed: every alert is notified and watching goes on', async () => {
    const dataDir = tempDir('tradetrace-watch-error-');
    const errors: unknown[] = [];
    const unrecorded: [unknown, AlertTransition][] = [];
    const notified: AlertTransition[] = [];
    const { scenario } = watch(dataDir, errors, { notifiers: [collecting(notified)], onRecordFailed: (error, transition) => unrecorded.push([error, transition]) });
    mkdirSync(join(dataDir, 'logs/alerts.jsonl'));
    scenario.at(1500).emit(SESSION, 'FATAL', { origin: 'uncaughtException', error_code: 'E_BOOM', message: 'boom' });
    await waitFor('the first alert', () => notified.length > 0, 5_000);
    // Still polling: a second session's failure is seen and notified too.
    scenario.at(1600).start('session_20251026_100100');
    scenario.at(1700).emit('session_20251026_100100', 'FATAL', { origin: 'uncaughtException', error_code: 'E_BOOM', message: 'boom again' });
    await waitFor('the second alert', () => notified.length > 1, 5_000);
    expect(errors).toEqual([]);
    expect(notified.map((t) => t.subject)).toEqual([SESSION, 'session_20251026_100100']);
    expect(unrecorded.map(([error, t]) => [error instanceof RecorderError, t.subject])).toEqual([[true, SESSION], [true, 'session_20251026_100100']]);
  });
});

function collecting(into: AlertTransition[]): Notifier {
  return { notify: (t) => void into.push(t), drain: () => Promise.resolve() };
}

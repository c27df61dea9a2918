import type { Recorder } from '../recorder/recorder.js';
import { errorMessage } from './engine-halt.js';

/** A log file a start could not read (a damaged .gz, EACCES): named in a LOG warn line, never a reason to refuse the start. */
export type OnUnreadableLog = (path: string, error: unknown) => void;

/** A LOG warn line of the session naming the file, the error, and what the start does without it. */
export function warnUnreadableLog(recorder: Recorder, consequence: string): OnUnreadableLog {
  return (path, error) =>
    recorder.emit('LOG', { message: `could not read the rotated log ${path} at start (${errorMessage(error)}): ${consequence}`, component: 'recovery', data: { path, error: errorMessage(error) } }, { level: 'warn' });
}

// Child process for the EACCES test, run as an unprivileged user: reports the error emit throws.
import { FileSink } from '../file-sink.js';
import { Recorder } from '../recorder.js';
import { RecorderError } from '../recorder-error.js';

const [logsDir] = process.argv.slice(2);
if (!logsDir) throw new Error('usage: eacces-child <logsDir>');
try {
  new Recorder({ sessionId: 'session_20250101_000000', sink: new FileSink(logsDir) }).emit('LOG', { message: 'x' });
  process.stdout.write(JSON.stringify({ name: 'none' }));
} catch (error) {
  if (!(error instanceof RecorderError)) throw error;
  process.stdout.write(JSON.stringify({ name: error.name, code: error.code, errno: error.details.errno }));
}

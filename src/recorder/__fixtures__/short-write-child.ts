// Child process for the full-disk test: a real short write, made by the kernel. A file size limit
// (RLIMIT_FSIZE, set on this process with prlimit(1)) cuts a write that crosses it short, as a full
// disk does; the next write fails with EFBIG (Node ignores SIGXFSZ). Lifting the limit is the space
// freed again, and the same sink writes on.
//   short-write-child <logsDir> <durable|buffered>
// Prints, as one JSON line, the RecorderError code (and errno) each failed step threw, and `bytes`:
// how many bytes of the line cut short reached the file.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { FileSink } from '../file-sink.js';
import { Recorder } from '../recorder.js';
import { RecorderError } from '../recorder-error.js';

const [logsDir, mode] = process.argv.slice(2);
if (!logsDir || (mode !== 'durable' && mode !== 'buffered')) throw new Error('usage: short-write-child <logsDir> <durable|buffered>');

/** The soft limit only: the hard one stays, so the limit can be lifted again without privileges. */
function limitFileSize(bytes: number | 'unlimited'): void {
  execFileSync('prlimit', ['--pid', String(process.pid), `--fsize=${bytes}:`]);
}

function failure(step: () => void): string {
  try {
    step();
  } catch (error) {
    if (error instanceof RecorderError) return `${error.code} ${error.details.errno ?? ''}`.trim();
    throw error;
  }
  return 'none';
}

const CUT = 40;
const path = join(logsDir, 'system.jsonl');
const recorder = new Recorder({ sessionId: 'session_20250101_000000', sink: new FileSink(logsDir, { mode }) });
const long = `cut short ${'x'.repeat(300)}`;
const out: Record<string, string | number> = { bytes: CUT };

if (mode === 'durable') {
  recorder.emit('LOG', { message: 'before' });
  limitFileSize(statSync(path).size + CUT);
  out['short'] = failure(() => recorder.emit('LOG', { message: long }));
  out['full'] = failure(() => recorder.emit('LOG', { message: 'while full' }));
  limitFileSize('unlimited');
  out['after'] = failure(() => recorder.emit('LOG', { message: 'after' }));
  out['next'] = failure(() => recorder.emit('LOG', { message: 'and on' }));
} else {
  recorder.emit('LOG', { message: 'before' });
  recorder.flush();
  const lines: string[] = [];
  const unsubscribe = recorder.onLine((_type, _fields, line) => lines.push(line));
  recorder.emit('LOG', { message: 'one' });
  recorder.emit('LOG', { message: long });
  recorder.emit('LOG', { message: 'three' });
  unsubscribe();
  // The first pending line and CUT bytes of the second fit: the batch is cut inside its second line.
  limitFileSize(statSync(path).size + Buffer.byteLength(lines[0] ?? '') + CUT);
  out['short'] = failure(() => recorder.flush());
  out['full'] = failure(() => recorder.flush());
  limitFileSize('unlimited');
  out['after'] = failure(() => recorder.flush());
  out['next'] = failure(() => recorder.emit('LOG', { message: 'four' }));
}
recorder.close();
process.stdout.write(`${JSON.stringify(out)}\n`);

// Child process for the worker-thread test: the main thread and a worker thread share one
// SeqCounter and append to the same channel files, each through its own FileSink.
//   threads-child <logsDir> <linesPerThread>
import { isMainThread, Worker, workerData } from 'node:worker_threads';
import { FileSink } from '../file-sink.js';
import { Recorder } from '../recorder.js';
import { SeqCounter } from '../seq-counter.js';

interface Job {
  readonly logsDir: string;
  readonly lines: number;
  readonly seqBuffer: SharedArrayBuffer;
  readonly who: string;
}

function writeAll(job: Job): void {
  const recorder = new Recorder({ sessionId: 'session_20250101_000000', sink: new FileSink(job.logsDir, { rotateBytes: 256 * 1024 }), seq: new SeqCounter(job.seqBuffer) });
  for (let i = 1; i <= job.lines; i++) recorder.emit('LOG', { message: `${job.who} ${i} "quoted"\nsecond line`, component: job.who });
  recorder.close();
}

if (isMainThread) {
  const [logsDir, lines] = process.argv.slice(2);
  if (!logsDir || !lines) throw new Error('usage: threads-child <logsDir> <linesPerThread>');
  const seqBuffer = new SharedArrayBuffer(8);
  // A worker does not inherit the main thread's module hooks (Node 20): register tsx in it first.
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(bootstrap, { eval: true, workerData: { logsDir, lines: Number(lines), seqBuffer, who: 'worker' } satisfies Job });
  writeAll({ logsDir, lines: Number(lines), seqBuffer, who: 'main' });
  worker.on('error', (error) => {
    throw error;
  });
  worker.on('exit', (code) => {
    if (code !== 0) throw new Error(`worker exited with ${code}`);
  });
} else {
  writeAll(workerData as Job);
}

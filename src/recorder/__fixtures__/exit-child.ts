// Child process for the buffered-mode test: logs without flushing, then calls process.exit().
// The sink's exit hook must still put every line on disk.
import { FileSink } from '../file-sink.js';
import { Recorder } from '../recorder.js';

const [logsDir, lines] = process.argv.slice(2);
if (!logsDir || !lines) throw new Error('usage: exit-child <logsDir> <lines>');
const recorder = new Recorder({ sessionId: 'session_20250101_000000', sink: new FileSink(logsDir, { mode: 'buffered' }) });
for (let i = 1; i <= Number(lines); i++) recorder.emit('LOG', { message: `buffered ${i}` });
process.exit(0);

// Child process for fatal-handler.test.ts: installs the fatal handlers, then dies as argv asks.
import { FileSink } from '../file-sink.js';
import { installFatalHandlers } from '../fatal-handler.js';
import { Recorder } from '../recorder.js';

const [logsDir, how] = process.argv.slice(2);
if (!logsDir || !how) throw new Error('usage: fatal-child <logsDir> <throw|reject|reject-string|hook|uninstalled>');
const recorder = new Recorder({ sessionId: 'session_20250101_000000', sink: new FileSink(logsDir, { mode: 'buffered' }) });
const uninstall = installFatalHandlers(recorder, {
  onFatal: (error) => {
    process.stdout.write(`onFatal saw: ${error instanceof Error ? error.message : String(error)}\n`);
    if (how === 'hook') throw new Error('hook exploded');
  },
});
setTimeout(() => {
  // Buffered and not yet flushed when the error hits: it must reach disk with FATAL.
  recorder.emit('LOG', { message: 'before the crash' });
  if (how === 'throw' || how === 'hook') throw Object.assign(new Error('boom in a timer'), { code: 'E_BOOM' });
  if (how === 'reject') void Promise.reject(new TypeError('rejected promise'));
  if (how === 'reject-string') {
    // Libraries do reject with plain strings; the handler must cope with any value.
    const notAnError: unknown = 'just a string';
    void (async () => {
      await Promise.resolve();
      throw notAnError;
    })();
  }
  if (how === 'uninstalled') {
    uninstall();
    throw new Error('after uninstall');
  }
}, 5);

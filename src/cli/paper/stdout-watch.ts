import type { Recorder } from '../../recorder/recorder.js';
import type { CliIo } from '../command.js';

/**
 * A reader that goes away (a closed pipe) must not take the bot down: output stops, trading goes on.
 * Returns whether stdout has failed, for the writers that must then stay quiet.
 */
export function watchStdout(io: CliIo, recorder: Recorder): () => boolean {
  let broken = false;
  io.stdout.on('error', (error: Error) => {
    if (broken) return;
    broken = true;
    try {
      recorder.emit('ERROR', { error_code: 'stdout_failed', message: `stdout: ${error.message}; dashboard output stopped, the session goes on`, component: 'paper' });
    } catch {
      // The record is closed: the summary, the last thing written, comes after SESSION_END. The
      // session's outcome is recorded already; a reader gone by then must not turn it into exit 1.
    }
  });
  return () => broken;
}

import { transitionText } from '../alert-record.js';
import type { AlertTransition } from '../alert-transition.js';
import type { Notifier } from './notifier.js';

/**
 * Prints each transition as one human line (plus the next command) to a stream, stderr by default.
 * `dataDir`: the data directory the next command must name (see transitionText).
 */
export class ConsoleNotifier implements Notifier {
  constructor(
    private readonly stream: NodeJS.WritableStream = process.stderr,
    private readonly dataDir: string | undefined = undefined,
  ) {}

  notify(transition: AlertTransition): void {
    this.stream.write(`${transitionText(transition, this.dataDir)}\n`);
  }

  drain(): Promise<void> {
    return Promise.resolve();
  }
}

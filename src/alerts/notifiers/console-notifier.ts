import { transitionText } from '../alert-record.js';
import type { AlertTransition } from '../alert-transition.js';
import type { Notifier } from './notifier.js';

/** Prints each transition as one human line (plus the next command) to a stream, stderr by default. */
export class ConsoleNotifier implements Notifier {
  constructor(private readonly stream: NodeJS.WritableStream = process.stderr) {}

  notify(transition: AlertTransition): void {
    this.stream.write(`${transitionText(transition)}\n`);
  }

  drain(): Promise<void> {
    return Promise.resolve();
  }
}

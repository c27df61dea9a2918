import { constants } from 'node:os';
import type { ShutdownSignal } from '../runtime/shutdown-coordinator.js';

const SIGNALS: readonly ShutdownSignal[] = ['SIGINT', 'SIGTERM'];

export interface StartupSignalsOptions {
  /** The first signal before the session's own handlers took over: it stops as soon as it has started. */
  readonly onPending: (signal: ShutdownSignal) => void;
  /** A second one then: startup is not waited for; the caller ends the session and leaves with `exitCode`. */
  readonly onForced: (signal: ShutdownSignal, exitCode: number) => void;
}

/**
 * SIGINT and SIGTERM outside the session's own handlers: from SESSION_START until the session
 * installs them, and from when it removes them until SESSION_END is written. Without a listener
 * Node's default action kills the process there, leaving a session with no end in its record (a
 * crash to `health`). Before the hand-over a first signal is kept, so the session stops as soon as
 * it has started (before it trades); a second one forces the end. After, signals are ignored: the
 * session is already ending.
 */
export class StartupSignals {
  private pending: ShutdownSignal | undefined;
  private handedOver = false;
  private readonly uninstall: () => void;

  constructor(private readonly options: StartupSignalsOptions) {
    const handlers = SIGNALS.map((signal) => {
      const handler = (): void => this.received(signal);
      process.on(signal, handler);
      return () => process.off(signal, handler);
    });
    this.uninstall = () => handlers.forEach((off) => off());
  }

  private received(signal: ShutdownSignal): void {
    if (this.handedOver) return;
    if (this.pending === undefined) {
      this.pending = signal;
      this.options.onPending(signal);
      return;
    }
    this.handedOver = true;
    this.options.onForced(signal, 128 + constants.signals[signal]);
  }

  /** The session's own handlers take over now; returns the signal that arrived before, if any. */
  takeOver(): ShutdownSignal | undefined {
    this.handedOver = true;
    return this.pending;
  }

  /** The session's end is recorded: signals get their default action again. */
  release(): void {
    this.handedOver = true;
    this.uninstall();
  }
}

import { closeSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import { SHUTDOWN_SIGNALS, type ShutdownSignal } from '../runtime/shutdown-coordinator.js';

export interface StartupSignalsOptions {
  /** The first signal before the session's own handlers took over: it stops as soon as it has started. */
  readonly onPending: (signal: ShutdownSignal) => void;
  /** A second one then: startup is not waited for; the caller ends the session and leaves with `exitCode`. */
  readonly onForced: (signal: ShutdownSignal, exitCode: number) => void;
  /** The terminal a SIGHUP says may be gone (default: this process's own). */
  readonly terminal?: Terminal;
}

/** What `outliveTerminal` needs of an output stream. */
export interface TerminalStream {
  write(chunk: string): boolean;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export interface Terminal {
  /** Default process.stdout and process.stderr. */
  readonly streams?: readonly TerminalStream[];
  /** The descriptors that may be on the terminal (default 0, 1, 2). */
  readonly fds?: readonly number[];
}

const tolerant = new WeakSet<TerminalStream>();
const hungUp = new Set<number>();

/**
 * SIGHUP: the terminal may be gone (a closed window, a dropped SSH connection), and every write to
 * it then fails: EIO from a hung-up tty, EPIPE from a pipe whose reader went with it (`| tee`).
 * The failure comes as an 'error' event, and one nobody listens to is an uncaught exception: FATAL
 * in the middle of a clean shutdown, or a crash after SESSION_END. From now on such errors are
 * ignored: there is no one left to show the output to, and the flight record is the session's
 * account. An empty write is made at once: a hung-up tty or a pipe with no reader fails even that,
 * so the stream's own listeners (paper's records `stdout_failed`) hear of it while the session
 * still records, rather than at the summary's write after SESSION_END, with nothing left to record
 * it in; on a terminal still there it writes nothing.
 */
export function outliveTerminal(terminal: Terminal = {}): void {
  const streams: readonly TerminalStream[] = terminal.streams ?? [process.stdout, process.stderr];
  for (const stream of streams) {
    if (!tolerant.has(stream)) {
      tolerant.add(stream);
      stream.on('error', () => undefined);
    }
    stream.write('');
  }
  const before = hungUp.size;
  for (const fd of terminal.fds ?? [0, 1, 2]) if (isHungUp(fd)) hungUp.add(fd);
  if (before === 0 && hungUp.size > 0) process.once('exit', closeHungUp);
}

/** Only a terminal that hung up fails an empty write with EIO (a pipe with no reader fails it with EPIPE). */
function isHungUp(fd: number): boolean {
  try {
    writeSync(fd, '');
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EIO';
  }
}

/**
 * Node 20 puts the terminal's settings back as it exits, and aborts (SIGABRT: exit 134, and a core
 * dump where enabled) when that fails with EIO, as it does on a terminal that hung up: a clean
 * shutdown whose record says exit 0 would end as a crash (nodejs/node#51519, no longer checked
 * from nodejs/node#58200 on). It leaves alone a descriptor that is closed, and nothing can be
 * written to these any more: they are closed as the process leaves.
 */
function closeHungUp(): void {
  for (const fd of hungUp) {
    try {
      closeSync(fd);
    } catch {
      // Already closed: what Node checks for then is satisfied too.
    }
  }
}

/**
 * The shutdown signals (SIGINT, SIGTERM, SIGHUP, SIGQUIT) outside the session's own handlers: from
 * SESSION_START until the session installs them, and from when it removes them until SESSION_END is
 * written. Without a listener Node's default action kills the process there, leaving a session with
 * no end in its record (a crash to `health`). Before the hand-over a first signal is kept, so the
 * session stops as soon as it has started (before it trades); a second one forces the end. After,
 * signals are ignored: the session is already ending. A SIGHUP, whenever it comes until then, also
 * readies the process to outlive its terminal (see outliveTerminal).
 */
export class StartupSignals {
  private pending: ShutdownSignal | undefined;
  private handedOver = false;
  private readonly uninstall: () => void;

  constructor(private readonly options: StartupSignalsOptions) {
    const handlers = SHUTDOWN_SIGNALS.map((signal) => {
      const handler = (): void => this.received(signal);
      process.on(signal, handler);
      return () => process.off(signal, handler);
    });
    this.uninstall = () => handlers.forEach((off) => off());
  }

  private received(signal: ShutdownSignal): void {
    // Whoever handles the signal (this class, or the session's handlers after the hand-over), the
    // writes that follow must survive a terminal that is gone: this listener is up until SESSION_END.
    if (signal === 'SIGHUP') outliveTerminal(this.options.terminal);
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

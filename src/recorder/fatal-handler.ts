import { writeSync } from 'node:fs';
import type { Recorder } from './recorder.js';

export type FatalOrigin = 'uncaughtException' | 'unhandledRejection';

export interface FatalHandlerOptions {
  /** How the process leaves; default `process.exit`. Tests and embedders pass their own. */
  readonly exit?: (code: number) => void;
  /** Runs after FATAL is on disk and before exit (e.g. to write SESSION_END). Its errors are reported, not thrown. */
  readonly onFatal?: (error: unknown) => void;
}

/** The exit code of a process that died of an error nobody caught. */
export const FATAL_EXIT_CODE = 1;

/** A machine-readable code for any thrown value: its string `code`, else its class name. */
export function errorCodeOf(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.length > 0) return code;
    if (error instanceof Error) return error.name || 'Error';
    return 'non_error_object';
  }
  return `non_error_${typeof error}`;
}

function describe(error: unknown): { message: string; stack?: string } {
  if (error instanceof Error) return error.stack ? { message: error.message, stack: error.stack } : { message: error.message };
  try {
    return { message: typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error)) };
  } catch {
    return { message: String(error) };
  }
}

// stderr through a synchronous write: the process is about to exit and an async stream may never drain.
function stderr(text: string): void {
  try {
    writeSync(2, text.endsWith('\n') ? text : `${text}\n`);
  } catch {
    // Nowhere left to report to.
  }
}

/**
 * Makes an uncaught exception or unhandled rejection leave a trace: writes `FATAL` (origin,
 * error_code, message, stack), flushes the recorder synchronously, then exits non-zero. If the
 * recorder itself cannot write, the error and the recorder's failure go to stderr and the process
 * still exits non-zero. A second fatal error while handling the first exits at once.
 * Returns the function that uninstalls the handlers.
 */
export function installFatalHandlers(recorder: Recorder, options: FatalHandlerOptions = {}): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let handling = false;

  const handle = (origin: FatalOrigin, error: unknown): void => {
    if (handling) {
      stderr(`tradetrace: second fatal error (${origin}) while handling the first: ${describe(error).message}`);
      exit(FATAL_EXIT_CODE);
      return;
    }
    handling = true;
    const { message, stack } = describe(error);
    stderr(`tradetrace: fatal ${origin}: ${stack ?? message}`);
    try {
      const fields = { origin, error_code: errorCodeOf(error), message };
      recorder.emit('FATAL', stack === undefined ? fields : { ...fields, stack });
      recorder.flush();
    } catch (recordError) {
      stderr(`tradetrace: FATAL could not be recorded: ${describe(recordError).message}`);
    }
    try {
      options.onFatal?.(error);
    } catch (hookError) {
      stderr(`tradetrace: onFatal hook failed: ${describe(hookError).message}`);
    }
    exit(FATAL_EXIT_CODE);
  };

  const onException = (error: unknown): void => handle('uncaughtException', error);
  const onRejection = (reason: unknown): void => handle('unhandledRejection', reason);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}

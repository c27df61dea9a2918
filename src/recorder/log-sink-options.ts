import type { FileSinkOptions } from './file-sink.js';
import { retentionPolicyOf, type PruneOutcome } from './log-retention.js';
import { logRotationOf } from './log-rotation.js';
import { prunedLogsNote } from './pruned-logs-note.js';
import type { EventInput } from './events/catalog.js';
import type { Recorder } from './recorder.js';
import { uncompressedWarning } from './uncompressed-warning.js';

/** The config's `recorder` keys a sink of the data directory's logs takes. */
export interface LogSinkSettings {
  readonly rotate_mb: number;
  readonly compress_rotated: boolean;
  readonly compress_after: number;
  readonly keep_rotated_for: number;
  readonly keep_rotated_mb: number;
}

/**
 * A LOG line of the sink's own session; never thrown. The recorder may not exist yet (the sink is
 * made before it: calling `recorderOf` then may even throw, inside the try) or be closed or failing,
 * and its own errors stop the session where they belong.
 */
function note(recorderOf: () => Recorder | undefined, fields: EventInput<'LOG'>, level: 'info' | 'warn'): void {
  try {
    recorderOf()?.emit('LOG', fields, { level });
  } catch {
    // See above.
  }
}

/**
 * A FileSink's rotation, compression and retention from the config's `recorder` section, for
 * every process that writes the data directory's logs (the bot, the `alerts` watcher): one writer
 * rotating a file at another size, or leaving what it rotated plain, would undo the others'. What
 * the sink does on its own (a rotated file it could not gzip, the rotated files retention deleted)
 * becomes a LOG line of `recorderOf()`'s session. `compressLeftovers` false is for a second writer
 * beside the bot (see FileSinkOptions); the mode is the caller's.
 */
export function logSinkOptions(settings: LogSinkSettings, recorderOf: () => Recorder | undefined, options: { readonly compressLeftovers?: boolean } = {}): FileSinkOptions {
  const rotation = logRotationOf(settings);
  const policy = retentionPolicyOf(settings);
  return {
    rotateBytes: rotation.rotateBytes,
    ...(rotation.compressAfterMs === undefined ? {} : {
      compressRotated: { graceMs: rotation.compressAfterMs, onFailure: (path: string, error: unknown) => note(recorderOf, uncompressedWarning(path, error), 'warn') },
      ...(options.compressLeftovers === undefined ? {} : { compressLeftovers: options.compressLeftovers }),
    }),
    ...(policy ? { retention: { policy, onPruned: (outcome: PruneOutcome) => note(recorderOf, prunedLogsNote(outcome), outcome.failures.length > 0 ? 'warn' : 'info') } } : {}),
  };
}

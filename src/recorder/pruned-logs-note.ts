import { basename } from 'node:path';
import type { PruneOutcome } from './log-retention.js';

/** The fields of a LOG line. */
export interface PrunedLogsNote {
  readonly message: string;
  readonly component: 'recorder';
  readonly data: {
    readonly deleted: readonly string[];
    readonly bytes: number;
    readonly failed: readonly { readonly file: string; readonly error: string }[];
  };
}

const MIB = 1024 * 1024;

/**
 * What the flight record says of the rotated files the retention policy deleted: those lines are
 * gone from every query from now on, so the record names each file (and each it could not delete).
 */
export function prunedLogsNote(outcome: PruneOutcome): PrunedLogsNote {
  const bytes = outcome.deleted.reduce((sum, f) => sum + f.bytes, 0);
  const first = outcome.deleted[0];
  const last = outcome.deleted[outcome.deleted.length - 1];
  const span = first && last ? `, rotated from ${new Date(first.rotatedAtMs).toISOString()} to ${new Date(last.rotatedAtMs).toISOString()}` : '';
  const failed = outcome.failures.map((f) => ({ file: basename(f.path), error: f.error instanceof Error ? f.error.message : String(f.error) }));
  const failures = failed.length === 0 ? '' : `; could not delete ${failed.length} (${failed.map((f) => `${f.file}: ${f.error}`).join('; ')})`;
  return {
    message: `deleted ${outcome.deleted.length} rotated log file${outcome.deleted.length === 1 ? '' : 's'} (${(bytes / MIB).toFixed(1)} MiB${span}) that recorder.keep_rotated_for / keep_rotated_mb no longer keep${failures}`,
    component: 'recorder',
    data: { deleted: outcome.deleted.map((f) => basename(f.path)), bytes, failed },
  };
}

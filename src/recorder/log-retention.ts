import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { CHANNELS } from './channels.js';
import { parseRotatedName } from './rotated-name.js';

/** When rotated log files are deleted. A zero turns its rule off; both zero keeps every file. */
export interface RetentionPolicy {
  /** Files rotated longer ago than this go. */
  readonly maxAgeMs: number;
  /** Past this total, the oldest rotated files go until the rest fit. */
  readonly maxTotalBytes: number;
  /** A file rotated more recently than this stays whatever the rules say: another writer may still append to it (see RotatedCompressionOptions.graceMs). */
  readonly settleMs: number;
}

export interface DeletedLogFile {
  readonly path: string;
  readonly bytes: number;
  readonly rotatedAtMs: number;
}

export interface PruneOutcome {
  readonly deleted: readonly DeletedLogFile[];
  readonly failures: readonly { readonly path: string; readonly error: unknown }[];
}

// Never deleted, each a few lines a session, never worth the disk it would free: the audit channel is
// the config's history (CONFIG_HASH, CONFIG_DIFF, sessions' starts and ends) that `drift` and
// `sessions` read; the alerts channel holds the incidents a restarted alert watcher takes over (an
// ALERT_FIRED rotated out long ago would be fired again under a new id, the old one open forever).
const KEPT_CHANNELS = new Set<string>(['audit', 'alerts']);
const PRUNED_CHANNELS = new Set<string>(CHANNELS.filter((c) => !KEPT_CHANNELS.has(c)));

interface Candidate extends DeletedLogFile {
  readonly name: string;
  readonly channel: string;
  readonly stem: string;
}

function candidates(logsDir: string, skip: ReadonlySet<string>): Candidate[] {
  let names: string[];
  try {
    names = readdirSync(logsDir);
  } catch {
    return [];
  }
  const found: Candidate[] = [];
  for (const name of names) {
    // Only the files our rotation names (plain or gzipped): never the current files, logrotate's, or
    // a compression's .tmp (RotatedCompression.recover removes those).
    const rotated = parseRotatedName(name);
    if (!rotated || rotated.form === 'partial' || !PRUNED_CHANNELS.has(rotated.channel)) continue;
    const path = join(logsDir, name);
    // Gone since the listing (compressed meanwhile): its .gz is in the next listing.
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat?.isFile()) found.push({ name, path, channel: rotated.channel, stem: name.replace(/\.gz$/, ''), bytes: stat.size, rotatedAtMs: rotated.rotatedAtMs });
  }
  // Oldest first; a file's plain and .gz copies (a crash mid-compression) sit together.
  found.sort((a, b) => a.rotatedAtMs - b.rotatedAtMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // Each channel's newest rotated file stays: a restart reads the newest rotated decisions and orders
  // files for where the last session stopped (its last decided bars, an order it left unsent). Files
  // being worked on count for which is newest, and are left alone: a plain file being gzipped by this
  // sink (`skip`) or by another writer's (its `.gz.tmp` beside it: the watchdog thread's sink).
  const newest = new Map(found.map((f) => [f.channel, f.stem]));
  const gzipping = new Set(names.filter((n) => n.endsWith('.jsonl.gz.tmp')).map((n) => n.slice(0, -'.gz.tmp'.length)));
  return found.filter((f) => newest.get(f.channel) !== f.stem && !skip.has(f.path) && !gzipping.has(f.name));
}

/**
 * Deletes the rotated log files in `logsDir` the policy no longer keeps, oldest first: those rotated
 * more than maxAgeMs ago, then, while the rotated files it may delete together pass maxTotalBytes,
 * the oldest left. Each channel's newest rotated file is neither deleted nor counted. `skip` names
 * files another task is working on (a compression in progress). A file that cannot be deleted is
 * reported and counted as kept.
 */
export function pruneRotated(logsDir: string, policy: RetentionPolicy, nowMs: number, skip: ReadonlySet<string> = new Set()): PruneOutcome {
  if (policy.maxAgeMs <= 0 && policy.maxTotalBytes <= 0) return { deleted: [], failures: [] };
  const files = candidates(logsDir, skip);
  let total = files.reduce((sum, f) => sum + f.bytes, 0);
  const deleted: DeletedLogFile[] = [];
  const failures: { path: string; error: unknown }[] = [];
  for (const file of files) {
    const age = nowMs - file.rotatedAtMs;
    if (age < policy.settleMs) break;
    const tooOld = policy.maxAgeMs > 0 && age > policy.maxAgeMs;
    const overBudget = policy.maxTotalBytes > 0 && total > policy.maxTotalBytes;
    if (!tooOld && !overBudget) break;
    try {
      unlinkSync(file.path);
      deleted.push({ path: file.path, bytes: file.bytes, rotatedAtMs: file.rotatedAtMs });
      total -= file.bytes;
    } catch (error) {
      // Deleted by someone else meanwhile: what it held is gone all the same.
      if ((error as { code?: string }).code === 'ENOENT') total -= file.bytes;
      else failures.push({ path: file.path, error });
    }
  }
  return { deleted, failures };
}

// A restart reads the newest rotated decisions file for where the last session stopped: never
// younger than this, even with compress_after 0s.
const MIN_SETTLE_MS = 60_000;

/** The config's `recorder` section (keep_rotated_for, keep_rotated_mb) as a policy; undefined when both are off. */
export function retentionPolicyOf(recorder: { readonly keep_rotated_for: number; readonly keep_rotated_mb: number; readonly compress_after: number }): RetentionPolicy | undefined {
  if (recorder.keep_rotated_for <= 0 && recorder.keep_rotated_mb <= 0) return undefined;
  return { maxAgeMs: recorder.keep_rotated_for, maxTotalBytes: recorder.keep_rotated_mb * 1024 * 1024, settleMs: Math.max(recorder.compress_after, MIN_SETTLE_MS) };
}

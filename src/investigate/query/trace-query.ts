import type { LogIndex } from '../index/log-index.js';
import { scanFiles, type FoundLine, type ScanInput, type ScanOptions } from '../scan/parallel-scan.js';
import { offsetFrom } from '../scan/time-seek.js';
import { byTime, ORDER_SLACK_MS, parseFound, parseOutcome, scanInputs, shiftIso, type LocatedEvent } from './find-events.js';
import type { LogSet } from './log-set.js';
import { exitLines } from './exit-lines.js';
import { reportIndexSkips } from './index-skips.js';
import { readLinesAt } from './read-at.js';
import type { SkippedLines } from './skipped-lines.js';

export interface TraceStats {
  files: number;
  bytes: number;
  /** Known when the index was used (it counts lines as it builds). */
  lines: number | null;
  via: 'index' | 'scan';
}

export type TraceOutcome =
  | { readonly kind: 'found'; readonly decisionId: string; readonly events: LocatedEvent[]; readonly stats: TraceStats; readonly indexLater: boolean }
  | { readonly kind: 'ambiguous'; readonly ids: string[]; readonly stats: TraceStats }
  | { readonly kind: 'not_found'; readonly stats: TraceStats };

export interface TraceOptions {
  readonly skipped: SkippedLines;
  readonly useIndex: boolean;
  readonly scan?: ScanOptions;
}

/** The earliest time a decision id (or prefix of one) can have been made: `dec_YYYYMMDD_HHMMSS...`. */
export function decisionIdTime(prefix: string): string | null {
  const m = /^dec_(\d{8})(?:_(\d{1,6}))?/.exec(prefix);
  if (!m) return null;
  const d = m[1] ?? '';
  const t = (m[2] ?? '').padEnd(6, '0');
  const ms = Date.parse(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${t.slice(0, 2)}:${t.slice(2, 4)}:${t.slice(4, 6)}Z`);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** The place of a line, as merge keys it. */
function placeOf(e: { readonly file: { readonly path: string }; readonly offset: number }): string {
  return `${e.file.path}:${e.offset}`;
}

function merge(...lists: LocatedEvent[][]): LocatedEvent[] {
  const seen = new Map<string, LocatedEvent>();
  for (const list of lists) for (const e of list) seen.set(placeOf(e), e);
  return [...seen.values()].sort(byTime);
}

const TERMINAL = new Set(['ORDER_FILLED', 'ORDER_FAILED', 'ORDER_CANCELED']);

/**
 * Above this many intents (an exit sell retried on every bar for days: tens of thousands), a scan
 * without the index finds the order lines by what every intent line has in common and picks them by
 * id afterwards: each needle more is one more pass over the bytes (44k needles over 86 MB never
 * finished). With the index, one lookupMany reads each segment once for all of them.
 */
export const MANY_INTENTS = 16;

const INTENT_NEEDLE = '"intent_id":"';
const INTENT_IDS = /"intent_id":"([^"]*)"/g;

/**
 * Order lines logged outside the decision's context carry only the intent_id: find them in the
 * time window the intent lived (from its first line to its terminal event, with slack).
 */
async function intentLinesByScan(set: LogSet, chain: LocatedEvent[], options: TraceOptions, stats: TraceStats): Promise<LocatedEvent[]> {
  const intents = new Set(chain.map((e) => e.event.intent_id).filter((id): id is string => typeof id === 'string'));
  if (intents.size === 0) return [];
  const times = chain.filter((e) => e.event.intent_id !== undefined);
  const first = times[0]?.event.ts ?? chain[0]?.event.ts ?? '';
  const terminal = times.filter((e) => TERMINAL.has(e.event.event_type)).map((e) => e.event.ts);
  const last = terminal.length >= intents.size ? terminal[terminal.length - 1] : undefined;
  const inputs: ScanInput[] = scanInputs(set, set.files, first).map((input) =>
    last && !input.file.gzipped ? { ...input, size: Math.max(input.from, offsetFrom(input.file.path, input.size, shiftIso(last, ORDER_SLACK_MS))) } : input,
  );
  const many = intents.size > MANY_INTENTS;
  const needles = many ? [INTENT_NEEDLE] : [...intents].map((id) => `${INTENT_NEEDLE}${id}"`);
  const outcome = await scanFiles(inputs, needles, options.scan ?? {});
  stats.bytes += outcome.bytes;
  if (many) {
    // Lines the chain already holds, or of other intents, are not parsed again: only the few left.
    const known = new Set(chain.map(placeOf));
    const ours = (line: { readonly text: string }) => [...line.text.matchAll(INTENT_IDS)].some((m) => intents.has(m[1] ?? ''));
    const lines = outcome.lines.filter((line) => !known.has(placeOf(line)) && ours(line));
    return parseOutcome({ lines, torn: outcome.torn.filter(ours), misshapen: outcome.misshapen }, options.skipped).filter((e) => e.event.intent_id !== undefined && intents.has(e.event.intent_id));
  }
  return parseOutcome(outcome, options.skipped).filter((e) => e.event.intent_id !== undefined && intents.has(e.event.intent_id));
}

/** Log time after a decision starts within which it ends; its later lines can only be its position's exit. */
export const DECISION_WINDOW_MS = 10 * 60_000;

type Continuation = 'none' | 'exit' | 'all';

/**
 * What may follow a chain's decision window: nothing, its position's exit (a position it opened, not
 * yet sold in the window), or anything (it never ended: the bot died or the window was too short;
 * or its order was given up after a timeout, ORDER_FAILED timeout_exhausted, so the store holds it
 * unknown and the order watcher or a restart's reconciliation settles it later, under its decision_id).
 */
function continuation(chain: readonly LocatedEvent[]): Continuation {
  const has = (type: string) => chain.some((e) => e.event.event_type === type);
  if (!has('DECISION_END')) return 'all';
  if (chain.some((e) => e.event.event_type === 'ORDER_FAILED' && e.event.reason === 'timeout_exhausted')) return 'all';
  if (has('SELL_FILLED') || has('BUY_FILLED') || has('ORDER_FILLED') || has('EXIT_TRIGGERED')) return 'exit';
  return 'none';
}

async function traceByScan(set: LogSet, prefix: string, options: TraceOptions): Promise<TraceOutcome> {
  const stats: TraceStats = { files: set.files.length, bytes: 0, lines: null, via: 'scan' };
  const needle = [`"decision_id":"${prefix}`];
  const earliest = decisionIdTime(prefix);
  const run = async (inputs: ScanInput[]) => {
    const outcome = await scanFiles(inputs, needle, options.scan ?? {});
    stats.bytes += outcome.bytes;
    return parseOutcome(outcome, options.skipped).filter((e) => e.event.decision_id?.startsWith(prefix) === true);
  };
  let chain: LocatedEvent[] = [];
  const started = () => chain.some((e) => e.event.event_type === 'DECISION_START');
  if (earliest && /^dec_\d{8}_\d{6}/.test(prefix)) {
    const windowEnd = shiftIso(earliest, 1000 + DECISION_WINDOW_MS + ORDER_SLACK_MS);
    const head = scanInputs(set, set.files, earliest).map((i) => (i.file.gzipped ? i : { ...i, size: Math.max(i.from, offsetFrom(i.file.path, i.size, windowEnd)) }));
    chain = await run(head);
    const id = chain[0]?.event.decision_id;
    const single = id !== undefined && chain.every((e) => e.event.decision_id === id);
    const next = continuation(chain);
    if (started() && single && next !== 'none') {
      const tail = head.filter((i) => !i.file.gzipped).map((i) => ({ file: i.file, from: i.size, size: set.sizes.get(i.file.path) ?? 0 }));
      const rest = next === 'exit' ? await exitLines(chain, id, tail, options.skipped, stats, run) : await run(tail);
      chain = [...chain, ...rest];
    }
  } else if (earliest) {
    chain = await run(scanInputs(set, set.files, earliest));
  }
  if (!started()) {
    stats.bytes = 0;
    chain = await run(scanInputs(set, set.files));
  }
  const ids = [...new Set(chain.map((e) => e.event.decision_id ?? ''))].sort();
  if (ids.length === 0) return { kind: 'not_found', stats };
  if (ids.length > 1) return { kind: 'ambiguous', ids, stats };
  chain.sort(byTime);
  const intentLines = await intentLinesByScan(set, chain, options, stats);
  return { kind: 'found', decisionId: ids[0] ?? prefix, events: merge(chain, intentLines), stats, indexLater: false };
}

async function readHits(hits: { file: FoundLine['file']; offsets: number[] }[], options: TraceOptions): Promise<LocatedEvent[]> {
  const lines: FoundLine[] = [];
  for (const hit of hits) lines.push(...(await readLinesAt(hit.file, hit.offsets)));
  return parseFound(lines, [], options.skipped);
}

async function traceByIndex(set: LogSet, index: LogIndex, prefix: string, options: TraceOptions): Promise<TraceOutcome> {
  const stats: TraceStats = { files: set.files.length, bytes: 0, lines: index.lineCount, via: 'index' };
  for (const file of set.files) stats.bytes += set.sizes.get(file.path) ?? 0;
  await reportIndexSkips(set, index, options.skipped);
  const found = index.lookup(prefix);
  const ids = [...found.keys()].filter((k) => k.startsWith('dec_') || !k.startsWith('int_')).sort();
  if (ids.length === 0) return { kind: 'not_found', stats };
  if (ids.length > 1) return { kind: 'ambiguous', ids, stats };
  const id = ids[0] ?? prefix;
  const chain = (await readHits(found.get(id) ?? [], options)).filter((e) => e.event.decision_id === id);
  const intents = new Set(chain.map((e) => e.event.intent_id).filter((x): x is string => typeof x === 'string'));
  // One lookup of all the intents (each segment read once), not one per intent nor every intent key of the index.
  const intentHits = index.lookupMany([...intents]);
  // Offsets the chain already read are not read again: only an intent's lines without the decision_id.
  const known = new Set(chain.map(placeOf));
  const intentLines: LocatedEvent[] = [];
  for (const intent of intents) {
    const hits = (intentHits.get(intent) ?? [])
      .map((hit) => ({ file: hit.file, offsets: hit.offsets.filter((offset) => !known.has(placeOf({ file: hit.file, offset }))) }))
      .filter((hit) => hit.offsets.length > 0);
    intentLines.push(...(await readHits(hits, options)).filter((e) => e.event.intent_id === intent));
  }
  return { kind: 'found', decisionId: id, events: merge(chain, intentLines), stats, indexLater: false };
}

/** Up to this many unindexed bytes, indexing them costs less than a scan: index first, then look up. */
export const INDEX_INLINE_BYTES = 64 * 1024 * 1024;

/**
 * A decision's whole chain across every channel, in (ts, seq) order. With the index: looked up when
 * the index is (nearly) current; otherwise answered by a scan, with `indexLater` telling the caller
 * to bring the index up to date after the answer is out, so the operator never waits for it.
 */
export async function traceDecision(set: LogSet, prefix: string, options: TraceOptions): Promise<TraceOutcome> {
  // Loaded only when wanted: a --no-index trace starts that much sooner (it races grep).
  const { LogIndex } = options.useIndex ? await import('../index/log-index.js') : { LogIndex: null };
  if (LogIndex && LogIndex.pendingBytes(set) <= INDEX_INLINE_BYTES) {
    const index = await LogIndex.prepare(set, options.scan?.parallelism === undefined ? {} : { parallelism: options.scan.parallelism });
    if (index) return traceByIndex(set, index, prefix, options);
  }
  const outcome = await traceByScan(set, prefix, options);
  return outcome.kind === 'found' && options.useIndex ? { ...outcome, indexLater: true } : outcome;
}

/** Brings the index up to date (after a scanned answer); null when the index cannot be written. */
export async function updateIndex(set: LogSet): Promise<LogIndex | null> {
  const { LogIndex } = await import('../index/log-index.js');
  return LogIndex.prepare(set);
}


import { isSecretKey, REDACTED } from '../../recorder/redaction.js';
import { eventNeedles, filesOf } from './event-needles.js';
import { findEvents, type SearchStats, type TimeWindow } from './find-events.js';
import { readManifests, type LogSet } from './log-set.js';
import type { SkippedLines } from './skipped-lines.js';
import { damagedLines, lineAt } from './damaged-lines.js';
import { readableFields, type LineFields } from './line-fields.js';
import { damagedConfigHashLines, recoverConfig, type LoggedHashes } from './config-hash-recovery.js';

/** Whether a secret held a value: never the value, only whether there was one. */
export type SecretSide = 'set' | 'unset' | 'unknown';

export interface ConfigChangeRow {
  readonly path: string;
  readonly from: unknown;
  readonly to: unknown;
  /**
   * For a secret (whose from and to are both "[changed]", as the bot logs it): whether it was set
   * before and after, read from the two sessions' CONFIG_HASH snapshots, so going from unset to
   * set reads differently from a changed value.
   */
  readonly secret?: { readonly from: SecretSide; readonly to: SecretSide };
  /**
   * Where each side's value came from (`env TRADETRACE__...`, `file /etc/bot.yaml`, `flag --set ...`,
   * `default`), from that session's CONFIG_HASH `sources` (or, for a line written before it, its
   * CONFIG_OVERRIDES); absent when that session did not log it.
   */
  readonly fromSource?: string;
  readonly toSource?: string;
}

export interface SessionConfig {
  readonly sessionId: string;
  readonly ts: string;
  readonly hash: string;
  readonly config: Record<string, unknown> | undefined;
  /** Ended with SESSION_END reason refused: it never traded, so the next session is compared past it. */
  readonly refused: boolean;
  /**
   * Its CONFIG_HASH line lies outside the --since/--until window: listed only as the session a change
   * into the window's sessions was compared with (the bot compares with the session before, wherever it lies).
   */
  readonly outsideWindow?: true;
  /**
   * Its CONFIG_HASH line is damaged or lost: what was, and where its hash and config were taken from
   * instead (its CONFIG_DIFF or SESSION_START line, sessions/<id>/config_hash.txt and config.json).
   */
  readonly recovered?: string;
  /** Its mode (SESSION_START, else its manifest): a session is compared only with one of its own mode. Undefined when neither says. */
  readonly mode?: string;
  /**
   * Where its values came from, path -> `file <path>` | `env <NAME>` | `flag <flag>`. `complete`: a
   * path not listed is at its default (CONFIG_HASH `sources`); otherwise only what CONFIG_OVERRIDES
   * named is known (older lines), and a path not listed came from the file or the default.
   */
  readonly sources?: { readonly paths: Readonly<Record<string, string>>; readonly complete: boolean };
}

export interface Drift {
  readonly from: SessionConfig;
  readonly to: SessionConfig;
  readonly changes: ConfigChangeRow[];
  /** CONFIG_DIFF as the bot logged it, or computed here from the two CONFIG_HASH snapshots. */
  readonly source: 'CONFIG_DIFF' | 'snapshots';
  /** Computed from the snapshots because the session's CONFIG_DIFF line is unreadable: where it is (audit.jsonl:7). */
  readonly diffUnreadable?: string;
  /** The session whose config snapshot is not known, so the changed paths are not either (changes is empty). */
  readonly configUnknown?: string;
}

const isChange = (value: unknown): boolean => isObject(value) && typeof value['path'] === 'string';

/**
 * Every field `drift` reads from a line, by type: a line that fails is reported as unreadable and
 * left out, as one that does not parse (a CONFIG_HASH so left out is recovered as a damaged one).
 */
export const DRIFT_FIELDS: LineFields = {
  CONFIG_HASH: { config_hash: 'string', config: 'object?', sources: 'object?' },
  CONFIG_OVERRIDES: { overrides: 'object?' },
  CONFIG_DIFF: { prev_session: 'string', current_hash: 'string', changes: { want: 'a list of changes, each with its path', test: (v) => Array.isArray(v) && v.every(isChange) } },
  SESSION_START: { config_hash: 'string', mode: 'string?' },
  SESSION_END: { reason: 'string' },
};

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** As the bot's own CONFIG_DIFF shows a changed secret: never its value, not even its hash. */
const SECRET_CHANGED = '[changed]';

/**
 * A snapshot's secret: a path the config's schema marks secret (`secretPaths`, SECRET_PATHS, passed
 * in by the command: this layer does not read the config), under a secret-looking key (a key an
 * older version had), or already replaced (its audit hash, or the redaction mark). The name alone
 * missed alerts.webhook_url (its URL carries a token), so its unset value read as "(absent)".
 */
function isSecretLeaf(path: string, value: unknown, secretPaths: ReadonlySet<string>): boolean {
  return secretPaths.has(path) || isSecretKey(path.slice(path.lastIndexOf('.') + 1)) || (typeof value === 'string' && (value.startsWith('sha256:') || value.startsWith(REDACTED)));
}

const NO_PATHS: ReadonlySet<string> = new Set();

/** Whether a snapshot's secret held a value: the audit writes an unset one as null (older lines as ""), a set one as its hash or the redaction mark. */
function heldSecret(value: unknown): SecretSide {
  return value === undefined || value === null || value === '' ? 'unset' : 'set';
}

/** A secret's side in a session's snapshot: a key the logged config lacks did not exist in that version, so nothing was set; without the snapshot nobody can tell. */
function secretSide(config: Record<string, unknown> | undefined, path: string): SecretSide {
  if (config === undefined) return 'unknown';
  let value: unknown = config;
  for (const key of path.split('.')) value = isObject(value) ? value[key] : undefined;
  return heldSecret(value);
}

/** Every leaf of a logged config snapshot, by path; a secret only as whether it was set. */
export function configLeaves(config: unknown, secretPaths: ReadonlySet<string> = NO_PATHS, path = ''): { path: string; value: unknown; secret?: Exclude<SecretSide, 'unknown'> }[] {
  if (isObject(config)) return Object.keys(config).sort().flatMap((k) => configLeaves(config[k], secretPaths, path ? `${path}.${k}` : k));
  if (!isSecretLeaf(path, config, secretPaths)) return [{ path, value: config }];
  return [{ path, value: undefined, secret: heldSecret(config) === 'set' ? 'set' : 'unset' }];
}

/** Changed leaf paths between two redacted config snapshots; secrets only as changed, and whether set. */
export function diffConfigs(from: unknown, to: unknown, secretPaths: ReadonlySet<string> = NO_PATHS, path = ''): ConfigChangeRow[] {
  if (isObject(from) && isObject(to)) {
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
    return keys.flatMap((k) => diffConfigs(from[k], to[k], secretPaths, path ? `${path}.${k}` : k));
  }
  if (JSON.stringify(from) === JSON.stringify(to)) return [];
  if (isSecretLeaf(path, from, secretPaths) || isSecretLeaf(path, to, secretPaths)) {
    const secret = { from: heldSecret(from), to: heldSecret(to) };
    // null and "" (an older version's unset) are both unset: nothing an operator could act on.
    if (secret.from === 'unset' && secret.to === 'unset') return [];
    return [{ path, from: SECRET_CHANGED, to: SECRET_CHANGED, secret }];
  }
  return [{ path, from: from ?? null, to: to ?? null }];
}

/**
 * The bot's CONFIG_DIFF rows, with each secret's set/unset read from the two snapshots: the line
 * itself shows a secret as "[changed]" on both sides, whether it was added, removed or replaced.
 * A row that shows a secret any other way (a hash, the redaction mark: not the bot's writing) is
 * masked the same, so drift never prints more of a secret than the bot would.
 */
function withSecretSides(rows: readonly ConfigChangeRow[], from: SessionConfig, to: SessionConfig, secretPaths: ReadonlySet<string>): ConfigChangeRow[] {
  return rows.map((row) => {
    const secret = (row.from === SECRET_CHANGED && row.to === SECRET_CHANGED) || isSecretLeaf(row.path, row.from, secretPaths) || isSecretLeaf(row.path, row.to, secretPaths);
    if (!secret) return row;
    return { path: row.path, from: SECRET_CHANGED, to: SECRET_CHANGED, secret: { from: secretSide(from.config, row.path), to: secretSide(to.config, row.path) }, ...(row.toSource !== undefined ? { toSource: row.toSource } : {}) };
  });
}

const inTime = (ts: string, window: TimeWindow): boolean => (!window.since || ts >= window.since) && (!window.until || ts <= window.until);

/**
 * Config hashes of the sessions whose CONFIG_HASH falls in the window, in order, and each change into
 * one of them from the session before: the latest earlier one that was not refused, as the bot's own
 * CONFIG_DIFF compares (a refused session never traded, so its config is nobody's baseline). The
 * whole audit log is read whatever the window (a line per session start: small), so the change into
 * the window's first session is found from a session before the window, listed as outsideWindow.
 */
export async function findDrift(set: LogSet, window: TimeWindow, skipped: SkippedLines, stats: SearchStats, secretPaths: ReadonlySet<string> = NO_PATHS): Promise<{ sessions: SessionConfig[]; drifts: Drift[] }> {
  const all = await driftOfAll(set, skipped, stats, secretPaths);
  if (window.since === undefined && window.until === undefined) return all;
  const inside = new Set(all.sessions.filter((s) => inTime(s.ts, window)).map((s) => s.sessionId));
  const drifts = all.drifts.filter((d) => inside.has(d.to.sessionId));
  const baselines = new Set(drifts.map((d) => d.from.sessionId));
  const sessions = all.sessions.flatMap((s): SessionConfig[] => (inside.has(s.sessionId) ? [s] : baselines.has(s.sessionId) ? [{ ...s, outsideWindow: true }] : []));
  const listed = new Map(sessions.map((s) => [s.sessionId, s]));
  return { sessions, drifts: drifts.map((d) => ({ ...d, from: listed.get(d.from.sessionId) ?? d.from })) };
}

async function driftOfAll(set: LogSet, skipped: SkippedLines, stats: SearchStats, secretPaths: ReadonlySet<string>): Promise<{ sessions: SessionConfig[]; drifts: Drift[] }> {
  const events = await findEvents(set, eventNeedles(['CONFIG_HASH', 'CONFIG_DIFF', 'CONFIG_OVERRIDES', 'SESSION_START', 'SESSION_END']), { files: filesOf(set, ['audit']), skipped, stats });
  // Every session the audit log names, in the order first met: from its CONFIG_HASH line, or (that
  // line damaged or lost) from what its CONFIG_DIFF and SESSION_START lines say of its config.
  const named = new Map<string, { ts: string; logged: Omit<SessionConfig, 'refused'> | undefined; hashes: LoggedHashes }>();
  const entry = (sessionId: string, ts: string) => {
    const known = named.get(sessionId) ?? { ts, logged: undefined, hashes: {} };
    named.set(sessionId, known);
    return known;
  };
  const refused = new Set<string>();
  const modes = new Map<string, string>();
  const logged = new Map<string, { readonly paths: Readonly<Record<string, string>>; readonly complete: boolean }>();
  const overridden = new Map<string, Record<string, string>>();
  const diffs = new Map<string, ConfigChangeRow[]>();
  for (const e of events) {
    if (!readableFields(e, DRIFT_FIELDS, skipped)) continue;
    const { event } = e;
    if (event.event_type === 'CONFIG_HASH') {
      entry(event.session_id, event.ts).logged = { sessionId: event.session_id, ts: event.ts, hash: event.config_hash, config: event.config };
      if (isObject(event.sources)) logged.set(event.session_id, { paths: stringValues(event.sources), complete: true });
    } else if (event.event_type === 'CONFIG_OVERRIDES') {
      if (isObject(event.overrides)) overridden.set(event.session_id, overrideSources(event.overrides));
    } else if (event.event_type === 'CONFIG_DIFF') {
      // A change's own source stands in where the session's CONFIG_HASH sources do not say (the recorder
      // masks those of a secret's path: listed under a secret-looking key).
      diffs.set(`${event.prev_session}>${event.session_id}`, event.changes.map((c) => ({ path: c.path, from: c.from, to: c.to, ...(typeof c.source === 'string' ? { toSource: c.source } : {}) })));
      const known = entry(event.session_id, event.ts);
      known.hashes = { ...known.hashes, diff: event.current_hash };
    } else if (event.event_type === 'SESSION_START') {
      const known = entry(event.session_id, event.ts);
      known.hashes = { ...known.hashes, start: event.config_hash };
      if (typeof event.mode === 'string') modes.set(event.session_id, event.mode);
    } else if (event.event_type === 'SESSION_END' && event.reason === 'refused') {
      refused.add(event.session_id);
    }
  }
  const hashes: Omit<SessionConfig, 'refused'>[] = [];
  for (const [sessionId, known] of named) {
    if (known.logged) hashes.push(known.logged);
    else {
      const recovered = await recoverConfig(set.dataDir, sessionId, known.hashes, damagedConfigHashLines(skipped, sessionId));
      if (recovered) hashes.push({ sessionId, ts: known.ts, hash: recovered.hash, config: recovered.config, recovered: recovered.note });
    }
  }
  // In the order the sessions started (their manifests' sequence), not by ts: a session started after
  // the clock was set back is stamped before the one it followed. Sessions without one (written before
  // sequences existed, or logs without their sessions/ folder) count as 0 and keep the order of the logs.
  const manifests = readManifests(set.dataDir);
  const startOrder = (sessionId: string): number => manifests.get(sessionId)?.sequence ?? 0;
  hashes.sort((a, b) => startOrder(a.sessionId) - startOrder(b.sessionId));
  const sessions: SessionConfig[] = hashes.map((s) => {
    const mode = modes.get(s.sessionId) ?? manifests.get(s.sessionId)?.mode;
    const sources = logged.get(s.sessionId) ?? (overridden.has(s.sessionId) ? { paths: overridden.get(s.sessionId) ?? {}, complete: false } : undefined);
    return { ...s, refused: refused.has(s.sessionId), ...(mode !== undefined ? { mode } : {}), ...(sources ? { sources } : {}) };
  });
  const drifts: Drift[] = [];
  const earlier: SessionConfig[] = [];
  for (const to of sessions) {
    const from = baselineOf(earlier, to);
    if (!to.refused) earlier.push(to);
    if (!from || from.hash === to.hash) continue;
    const diff = diffs.get(`${from.sessionId}>${to.sessionId}`);
    if (diff) drifts.push({ from, to, changes: withSources(withSecretSides(diff, from, to, secretPaths), from, to), source: 'CONFIG_DIFF' });
    else {
      // No CONFIG_DIFF read: none was written, or its line is damaged (then say where, not "none").
      const damaged = damagedLines(skipped, 'audit', 'CONFIG_DIFF', to.sessionId)[0];
      // A snapshot not known (not logged, its line and config.json unreadable) gives no paths: diffing
      // against nothing would list the whole other config as one change to "(absent)".
      const unknown = from.config === undefined ? from : to.config === undefined ? to : undefined;
      const changes = unknown ? [] : withSources(diffConfigs(from.config, to.config, secretPaths), from, to);
      drifts.push({ from, to, changes, source: 'snapshots', ...(damaged ? { diffUnreadable: await lineAt(damaged) } : {}), ...(unknown ? { configUnknown: unknown.sessionId } : {}) });
    }
  }
  return { sessions, drifts };
}

/**
 * The session `to` is compared with, as the bot's CONFIG_DIFF does (findPreviousSession): the latest
 * earlier one (not refused) of the same mode, so a `demo` run is never the paper bot's baseline, nor
 * paper live's. A mode not known (no SESSION_START or manifest says it) matches any.
 */
function baselineOf(earlier: readonly SessionConfig[], to: SessionConfig): SessionConfig | undefined {
  for (let i = earlier.length - 1; i >= 0; i--) {
    const s = earlier[i];
    if (s && (s.mode === undefined || to.mode === undefined || s.mode === to.mode)) return s;
  }
  return undefined;
}

function stringValues(record: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record)) if (typeof v === 'string') out[k] = v;
  return out;
}

const ENV_KEY = /^TRADETRACE__([A-Z0-9_]+?)__([A-Z0-9_]+)$/;

/**
 * What a CONFIG_OVERRIDES line (written before CONFIG_HASH logged `sources`) says of where values
 * came from: `--set <path>`, `<name> (<path>)` (a flag or variable that set several keys) and
 * `TRADETRACE__SECTION__KEY`, with the value not replaced by a later source. A spec alias
 * (GLOBAL_TRADING) names no path and is left out.
 */
function overrideSources(overrides: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [label, value] of Object.entries(overrides)) {
    if (typeof value !== 'string' || value.includes('; overridden by ')) continue;
    const kind = /\(from (env|flag)[;)]/.exec(value)?.[1];
    if (kind === undefined) continue;
    const named = /^(.+) \(([a-z0-9_]+\.[a-z0-9_]+)\)$/.exec(label);
    const name = named?.[1] ?? label;
    const env = ENV_KEY.exec(name);
    const path = named?.[2] ?? (name.startsWith('--set ') ? name.slice('--set '.length) : env ? `${(env[1] ?? '').toLowerCase()}.${(env[2] ?? '').toLowerCase()}` : undefined);
    if (path !== undefined) out[path] = `${kind} ${name}`;
  }
  return out;
}

/** Where a session's value of `path` came from, when its lines say. */
function sourceIn(session: SessionConfig, path: string): string | undefined {
  const { sources } = session;
  if (!sources) return undefined;
  const source = sources.paths[path];
  // Masked by the recorder (a source under a secret-looking key): listed, so not the default, but not known.
  if (source?.startsWith(REDACTED)) return undefined;
  return source ?? (sources.complete ? 'default' : undefined);
}

/** Each row with where its old and new value came from, as far as the two sessions logged it. */
function withSources(rows: readonly ConfigChangeRow[], from: SessionConfig, to: SessionConfig): ConfigChangeRow[] {
  return rows.map((row) => {
    const fromSource = sourceIn(from, row.path);
    const toSource = sourceIn(to, row.path) ?? row.toSource;
    return { ...row, ...(fromSource !== undefined ? { fromSource } : {}), ...(toSource !== undefined ? { toSource } : {}) };
  });
}

/**
 * One session's part of the drift: its own config row, the change into it (from its baseline) and
 * any change out of it (to a later session compared with it), with the sessions those name, in order.
 * Empty when the session logged no CONFIG_HASH (in the window searched).
 */
export function forSession(all: { sessions: SessionConfig[]; drifts: Drift[] }, session: string): { sessions: SessionConfig[]; drifts: Drift[] } {
  if (!all.sessions.some((s) => s.sessionId === session && s.outsideWindow !== true)) return { sessions: [], drifts: [] };
  const drifts = all.drifts.filter((d) => d.from.sessionId === session || d.to.sessionId === session);
  const named = new Set([session, ...drifts.flatMap((d) => [d.from.sessionId, d.to.sessionId])]);
  return { sessions: all.sessions.filter((s) => named.has(s.sessionId)), drifts };
}

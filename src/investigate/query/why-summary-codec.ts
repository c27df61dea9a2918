import type { DecisionOutcome } from '../../recorder/events/decision-events.js';
import { readLogLine } from './line-parse.js';
import { emptySummary, groupOf, OUTCOMES, type FileSummary, type KeptLine } from './why-summary.js';

/**
 * A file summary as JSON and back. Decoding trusts nothing: every count is checked to be a count,
 * every example line is parsed again and must be the event, session, outcome or guard it stands
 * for; anything else makes the whole summary unusable (null), and the file is scanned instead.
 */

type Line = [number, string];

function line(l: KeptLine): Line {
  return [l.offset, l.text];
}

export function encodeSummary(s: FileSummary): string {
  return JSON.stringify({
    firstTs: s.firstTs ?? null,
    lastTs: s.lastTs ?? null,
    sessions: [...s.sessions],
    groups: [...s.groups.values()].map((g) => ({
      session: g.session,
      symbol: g.symbol,
      starts: g.starts,
      lastStart: g.lastStart ? line(g.lastStart) : null,
      ends: [...g.ends].map(([o, e]) => [o, e.count, line(e.latest)]),
      guards: [...g.guards].map(([name, t]) => [name, t.count, line(t.latest), [...t.values.values()].map((v) => [v.observed, v.threshold, v.count, v.first])]),
      failed: g.failed.map(line),
    })),
    fills: [...s.fills].map(([session, ids]) => [session, [...ids]]),
    endSessions: s.endSessions ?? null,
  });
}

class Invalid extends Error {}

function fail(): never {
  throw new Invalid();
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isText = (v: unknown): v is string => typeof v === 'string';

function array(v: unknown): unknown[] {
  return Array.isArray(v) ? v : fail();
}

function text(v: unknown): string {
  return isText(v) ? v : fail();
}

function count(v: unknown, min = 0): number {
  return isCount(v) && v >= min ? v : fail();
}

/** A kept line, parsed again: it must be an event of `type` in `session`, within the file's first and last ts. */
function kept(v: unknown, type: string, session: string, s: FileSummary): KeptLine {
  const [offset, raw] = array(v);
  const parsed = readLogLine(text(raw));
  if (!parsed.ok || parsed.value.event_type !== type || parsed.value.session_id !== session) fail();
  if (s.firstTs === undefined || s.lastTs === undefined || parsed.value.ts < s.firstTs || parsed.value.ts > s.lastTs) fail();
  return { offset: count(offset), text: text(raw), event: parsed.value };
}

function isOutcome(v: unknown): v is DecisionOutcome {
  return typeof v === 'string' && OUTCOMES.has(v);
}

export function decodeSummary(body: string): FileSummary | null {
  try {
    const value: unknown = JSON.parse(body);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) fail();
    const v = value as Record<string, unknown>;
    const s = emptySummary();
    const [firstTs, lastTs] = [v['firstTs'], v['lastTs']];
    if (firstTs !== null) s.firstTs = text(firstTs);
    if (lastTs !== null) s.lastTs = text(lastTs);
    if ((s.firstTs === undefined) !== (s.lastTs === undefined)) fail();
    for (const session of array(v['sessions'])) s.sessions.add(text(session));
    for (const item of array(v['groups'])) {
      if (item === null || typeof item !== 'object') fail();
      const g = item as Record<string, unknown>;
      const session = text(g['session']);
      const symbol = g['symbol'] === null ? null : text(g['symbol']);
      if (!s.sessions.has(session)) fail();
      const before = s.groups.size;
      const group = groupOf(s, session, symbol);
      if (s.groups.size === before) fail();
      group.starts = count(g['starts']);
      if (g['lastStart'] !== null) group.lastStart = kept(g['lastStart'], 'DECISION_START', session, s);
      if ((group.starts > 0) !== (group.lastStart !== undefined)) fail();
      for (const e of array(g['ends'])) {
        const [outcome, n, latest] = array(e);
        if (!isOutcome(outcome) || group.ends.has(outcome)) fail();
        const l = kept(latest, 'DECISION_END', session, s);
        if ((l.event as { outcome?: unknown }).outcome !== outcome) fail();
        group.ends.set(outcome, { count: count(n, 1), latest: l });
      }
      for (const item2 of array(g['guards'])) {
        const [name, n, latest, values] = array(item2);
        const guard = text(name);
        if (group.guards.has(guard)) fail();
        const l = kept(latest, 'BUY_BLOCKED', session, s);
        if ((l.event as { guard?: unknown }).guard !== guard) fail();
        const tally = { count: count(n, 1), latest: l, values: new Map<string, { observed: string; threshold: string; count: number; first: number }>() };
        let sum = 0;
        for (const p of array(values)) {
          const [observed, threshold, c, first] = array(p);
          const pair = { observed: text(observed), threshold: text(threshold), count: count(c, 1), first: count(first) };
          const key = `${pair.observed} vs ${pair.threshold}`;
          if (tally.values.has(key)) fail();
          tally.values.set(key, pair);
          sum += pair.count;
        }
        if (sum !== tally.count) fail();
        group.guards.set(guard, tally);
      }
      for (const f of array(g['failed'])) {
        const l = kept(f, 'DECISION_END', session, s);
        if ((l.event as { outcome?: unknown }).outcome !== 'failed') fail();
        group.failed.push(l);
      }
      if (group.failed.length !== (group.ends.get('failed')?.count ?? 0)) fail();
    }
    for (const f of array(v['fills'])) {
      const [session, ids] = array(f);
      const name = text(session);
      if (!s.sessions.has(name) || s.fills.has(name)) fail();
      s.fills.set(name, new Set(array(ids).map(text)));
    }
    // Present in every summary of this version (null: not checked for `sessions`), and exactly the
    // sessions the groups hold DECISION_ENDs of: `sessions` takes its counts from those groups.
    if (!('endSessions' in v)) fail();
    if (v['endSessions'] !== null) {
      const order = array(v['endSessions']).map(text);
      const ended = new Set([...s.groups.values()].filter((g) => g.ends.size > 0).map((g) => g.session));
      if (new Set(order).size !== order.length || order.length !== ended.size || !order.every((id) => ended.has(id))) fail();
      s.endSessions = order;
    }
    return s;
  } catch (error) {
    if (error instanceof Invalid || error instanceof SyntaxError) return null;
    throw error;
  }
}

import { SESSION_ID } from '../../domain/ids.js';

/** `session_YYYYMMDD_HHMMSS[_n]` as a sortable pair: the UTC stamp, then the same-second attempt. */
function sortKey(sessionId: string): [string, number] {
  const match = /^session_(\d{8}_\d{6})(?:_(\d+))?$/.exec(sessionId);
  return [match?.[1] ?? '', Number(match?.[2] ?? '1')];
}

export function isSessionId(name: string): boolean {
  return SESSION_ID.test(name);
}

/** Orders session ids by start: `_10` after `_2` in the same second, which plain string order gets wrong. */
export function compareSessionIds(a: string, b: string): number {
  const [stampA, attemptA] = sortKey(a);
  const [stampB, attemptB] = sortKey(b);
  if (stampA !== stampB) return stampA < stampB ? -1 : 1;
  return attemptA - attemptB;
}

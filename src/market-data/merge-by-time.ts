import type { Bar } from './bar.js';

const OUT_BATCH = 1024;

interface Cursor {
  readonly iterator: AsyncIterator<readonly Bar[]>;
  batch: readonly Bar[];
  index: number;
}

async function refill(cursor: Cursor): Promise<boolean> {
  while (cursor.index >= cursor.batch.length) {
    const next = await cursor.iterator.next();
    if (next.done === true) return false;
    cursor.batch = next.value;
    cursor.index = 0;
  }
  return true;
}

/**
 * Interleaves several time-ordered bar streams into one, by open time (ties in source order), so a
 * replay of several symbols delivers them as they happened. One stream passes straight through.
 */
export async function* mergeByTime(sources: readonly AsyncIterable<readonly Bar[]>[]): AsyncGenerator<readonly Bar[]> {
  if (sources.length === 1 && sources[0] !== undefined) {
    yield* sources[0];
    return;
  }
  const live: Cursor[] = [];
  try {
    for (const source of sources) {
      const cursor: Cursor = { iterator: source[Symbol.asyncIterator](), batch: [], index: 0 };
      live.push(cursor);
    }
    let active = (await Promise.all(live.map(async (c) => ((await refill(c)) ? c : undefined)))).filter((c) => c !== undefined);
    let out: Bar[] = [];
    while (active.length > 0) {
      let best = active[0] as Cursor;
      for (const cursor of active) {
        if ((cursor.batch[cursor.index] as Bar).openTime < (best.batch[best.index] as Bar).openTime) best = cursor;
      }
      out.push(best.batch[best.index++] as Bar);
      if (best.index >= best.batch.length && !(await refill(best))) active = active.filter((c) => c !== best);
      if (out.length >= OUT_BATCH) {
        yield out;
        out = [];
      }
    }
    if (out.length > 0) yield out;
  } finally {
    for (const cursor of live) await cursor.iterator.return?.();
  }
}

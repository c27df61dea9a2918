import type { Bar } from '../../src/market-data/bar.js';
import { openCandleFile } from '../../src/market-data/candle-file.js';

/** Every bar of a candle file, in memory: for tests over a whole real file. */
export async function loadBars(path: string): Promise<Bar[]> {
  const bars: Bar[] = [];
  for await (const batch of (await openCandleFile(path)).bars()) bars.push(...batch);
  return bars;
}

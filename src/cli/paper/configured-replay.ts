import { sourceOf, type LoadedConfig } from '../../config/load-config.js';
import { checkReplayMarkets } from '../../engine/paper-markets.js';
import { replaySymbols } from '../../engine/paper-setup.js';

/** market_data.source=candles_file with no file to read. */
export const EMPTY_CANDLES_FILE =
  'market_data.source is candles_file but market_data.candles_file is empty: give the file (--set market_data.candles_file=PATH or --data FILE) or set market_data.source=synthetic';

/**
 * A replay set in the config (market_data.candles_file) rather than by --data, checked before
 * anything starts, as --data is: each file is there, and trading.symbols names the market of each
 * file, in order. The feed trades those symbols, so the config the session records says what
 * traded (a file's own name used to win over trading.symbols, which the audit still showed).
 * Returns the problem, or undefined when there is none (or the config sets no replay).
 */
export async function configuredReplayProblem(loaded: LoadedConfig, missingFile: (files: readonly string[]) => Promise<string | undefined>): Promise<string | undefined> {
  const { market_data: data, trading } = loaded.config;
  if (data.source !== 'candles_file') return undefined;
  // With no file the session traded the synthetic market while its recorded config said candles_file.
  if (data.candles_file === '') return EMPTY_CANDLES_FILE;
  const files = data.candles_file.split(',');
  const missing = await missingFile(files);
  if (missing !== undefined) return `market_data.candles_file ${missing}`;
  const explicit = sourceOf(loaded, 'trading.symbols').kind !== 'default';
  if (explicit && trading.symbols.length !== files.length) {
    return `trading.symbols names ${trading.symbols.length} symbol(s) (${trading.symbols.join(', ')}) for ${files.length} file(s) in market_data.candles_file: give one symbol per file, in order`;
  }
  try {
    const symbols = await replaySymbols(files, explicit ? trading.symbols : undefined);
    if (!explicit && symbols.join(',') !== trading.symbols.join(',')) {
      return `market_data.candles_file replays ${symbols.join(', ')} (from the file names) but trading.symbols is ${trading.symbols.join(', ')} (its default): set trading.symbols=${symbols.join(',')} so the session's recorded config says what it trades`;
    }
    checkReplayMarkets(files.map((file, i) => ({ file, symbol: symbols[i] ?? '' })));
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}

import { auditValue, displayValue, valueAt } from '../../config/audit-tree.js';
import { nameOf } from '../../config/audit.js';
import { describeSource, type ConfigSource } from '../../config/config-source.js';
import { sourceOf, type ConfigOverride, type LoadedConfig } from '../../config/load-config.js';
import { CONFIG_KEYS } from '../../config/schema.js';
import type { Decimal } from '../../domain/decimal.js';
import type { StartWarning } from '../../engine/startup-warnings.js';

/** A setting as the operator wrote it: `--set trading.symbols=ETH/USD`, `TRADETRACE__X=1`, `--data (trading.symbols=BTC/USD)`. */
function asGiven(override: ConfigOverride, shown: string): string {
  const name = nameOf(override.source);
  if (override.source.kind === 'env' || name === `--set ${override.path}`) return `${name}=${shown}`;
  return `${name} (${override.path}=${shown})`;
}

function notRun(message: string, data: Record<string, unknown>): StartWarning {
  return { code: 'setting_not_run', component: 'config', message, data };
}

/**
 * Settings the operator gave (env variables and flags) that a later one replaced with another value:
 * `--set trading.symbols=ETH/USD` beside `--data`, whose symbols win. CONFIG_OVERRIDES records it;
 * an operator who reads only the terminal believed the bot ran with what they typed.
 */
function replacedSettings(loaded: LoadedConfig): StartWarning[] {
  const warnings: StartWarning[] = [];
  for (const override of loaded.overrides) {
    const key = CONFIG_KEYS.get(override.path);
    const effective = sourceOf(loaded, override.path);
    if (!key || effective.kind === 'default' || effective.kind === 'file' || nameOf(effective) === nameOf(override.source)) continue;
    const running = valueAt(loaded.config, key);
    // Compared in their audit form (a secret as its hash): two secrets both show as [REDACTED].
    if (JSON.stringify(auditValue(key, override.value)) === JSON.stringify(auditValue(key, running))) continue;
    const gave = displayValue(key, override.value);
    const runs = displayValue(key, running);
    warnings.push(notRun(
      `${asGiven(override, gave)} is not what runs: ${override.path} is ${runs}, from ${describeSource(effective)}, which wins over it`,
      { path: override.path, given: gave, given_by: nameOf(override.source), runs, runs_by: nameOf(effective) },
    ));
  }
  return warnings;
}

/** `paper` trades on its simulated exchange whatever exchange.name says: a real exchange named there is never contacted. */
function exchangeNotRun(loaded: LoadedConfig): StartWarning[] {
  const { exchange } = loaded.config;
  if (exchange.name === 'paper') return [];
  const source: ConfigSource = sourceOf(loaded, 'exchange.name');
  const keys = exchange.api_key !== undefined || exchange.api_secret !== undefined ? ', and exchange.api_key and exchange.api_secret are not used' : '';
  return [notRun(
    `exchange.name=${exchange.name} (from ${describeSource(source)}) is not what runs: tradetrace paper trades on its simulated paper exchange only; ${exchange.name} is not contacted${keys}`,
    { path: 'exchange.name', given: exchange.name, given_by: describeSource(source), runs: 'paper' },
  )];
}

/**
 * A candle file named while the synthetic feed runs (its source the default, or --synthetic over a
 * config file that replays): the file is never read, and the session trades a market nobody chose.
 */
function candlesFileNotRun(loaded: LoadedConfig): StartWarning[] {
  const { source, candles_file: file } = loaded.config.market_data;
  if (source !== 'synthetic' || file === '') return [];
  const fileFrom = sourceOf(loaded, 'market_data.candles_file');
  const sourceFrom = sourceOf(loaded, 'market_data.source');
  const why = sourceFrom.kind === 'default' ? 'its default' : `from ${describeSource(sourceFrom)}`;
  return [notRun(
    `market_data.candles_file=${file} (from ${describeSource(fileFrom)}) is not what runs: market_data.source is synthetic (${why}), so the file is not read and the synthetic market trades; to replay it, set market_data.source=candles_file or give --data FILE`,
    { path: 'market_data.candles_file', given: file, given_by: describeSource(fileFrom), runs: 'synthetic', runs_by: describeSource(sourceFrom) },
  )];
}

/** What the loaded config asks of this `paper` session that it will not do; known before it opens. */
export function settingsNotRun(loaded: LoadedConfig): StartWarning[] {
  return [...exchangeNotRun(loaded), ...candlesFileNotRun(loaded), ...replacedSettings(loaded)];
}

export interface ExistingAccount {
  /** The state store was created by this session: its account was funded with starting_quote_balance. */
  readonly created: boolean;
  /** What the account holds of trading.quote_currency as the session starts. */
  readonly quoteBalance: Decimal;
}

/**
 * trading.starting_quote_balance given for this run (env or flag) on a data directory whose account
 * already exists: it funds only a new account, so raising it changed nothing. A value from the config
 * file is the standing setting, not asked of this run: said every restart, it would be noise.
 */
export function startingBalanceNotRun(loaded: LoadedConfig, account: ExistingAccount): StartWarning[] {
  const source = sourceOf(loaded, 'trading.starting_quote_balance');
  const { starting_quote_balance: starting, quote_currency: quote } = loaded.config.trading;
  if (account.created || (source.kind !== 'env' && source.kind !== 'flag') || account.quoteBalance.eq(starting)) return [];
  return [notRun(
    `trading.starting_quote_balance=${starting.toString()} (from ${describeSource(source)}) is not what runs: it funds only a new account, and this data directory's account exists (it holds ${account.quoteBalance.toString()} ${quote}); to start with ${starting.toString()} ${quote}, use a fresh --data-dir`,
    { path: 'trading.starting_quote_balance', given: starting.toString(), given_by: describeSource(source), quote_balance: account.quoteBalance.toString(), quote_currency: quote },
  )];
}

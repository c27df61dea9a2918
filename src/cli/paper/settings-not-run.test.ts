import { describe, expect, it } from 'vitest';
import type { FlagSetting } from '../../config/flag-settings.js';
import { loadConfig, type LoadedConfig } from '../../config/load-config.js';
import { Decimal } from '../../domain/decimal.js';
import { settingsNotRun, startingBalanceNotRun } from './settings-not-run.js';

function load(sets: readonly string[], env: NodeJS.ProcessEnv = {}, flags: readonly FlagSetting[] = []): LoadedConfig {
  const loaded = loadConfig({ sets: [...sets], env, flags: [...flags] });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.value;
}

const messages = (loaded: LoadedConfig): string[] => settingsNotRun(loaded).map((w) => w.message);

describe('settings given that are not what a paper session runs', () => {
  it('says nothing when every setting given runs', () => {
    expect(messages(load(['trading.max_open_positions=3', 'exchange.name=paper'], { TRADETRACE__TRADING__COOLDOWN_AFTER_EXIT: '5m' }))).toEqual([]);
  });

  it('a --set that --data replaces, and an env variable a --set replaces with another value', () => {
    const loaded = load(['trading.symbols=ETH/USD', 'trading.max_open_positions=3'], { TRADETRACE__TRADING__MAX_OPEN_POSITIONS: '2' }, [{ path: 'trading.symbols', value: 'BTC/USD', flag: '--data' }]);
    expect(messages(loaded)).toEqual([
      'TRADETRACE__TRADING__MAX_OPEN_POSITIONS=2 is not what runs: trading.max_open_positions is 3, from flag --set trading.max_open_positions, which wins over it',
      '--set trading.symbols=ETH/USD is not what runs: trading.symbols is BTC/USD, from flag --data, which wins over it',
    ]);
  });

  it('a replaced value that equals the one that runs, or a --set given twice, is not worth a word', () => {
    expect(messages(load(['trading.max_open_positions=2'], { TRADETRACE__TRADING__MAX_OPEN_POSITIONS: '2' }))).toEqual([]);
    expect(messages(load(['trading.max_open_positions=2', 'trading.max_open_positions=4']))).toEqual([]);
  });

  it('a secret replaced by another: said, never shown', () => {
    const warnings = settingsNotRun(load(['exchange.api_key=key-two'], { TRADETRACE__EXCHANGE__API_KEY: 'key-one' }));
    expect(warnings.map((w) => w.message)).toEqual(['TRADETRACE__EXCHANGE__API_KEY=[REDACTED] is not what runs: exchange.api_key is [REDACTED], from flag --set exchange.api_key, which wins over it']);
    expect(JSON.stringify(warnings)).not.toMatch(/key-one|key-two/);
  });

  it('exchange.name other than paper: the paper exchange runs, the named one is not contacted', () => {
    expect(messages(load(['exchange.name=kraken']))).toEqual([
      'exchange.name=kraken (from flag --set exchange.name) is not what runs: tradetrace paper trades on its simulated paper exchange only; kraken is not contacted',
    ]);
  });

  it('a candles_file while the synthetic feed runs: the file is not read', () => {
    expect(messages(load(['market_data.candles_file=/data/btc.csv']))).toEqual([
      'market_data.candles_file=/data/btc.csv (from flag --set market_data.candles_file) is not what runs: market_data.source is synthetic (its default), so the file is not read and the synthetic market trades; to replay it, set market_data.source=candles_file or give --data FILE',
    ]);
    const overridden = settingsNotRun(load(['market_data.source=candles_file', 'market_data.candles_file=/data/btc.csv'], {}, [{ path: 'market_data.source', value: 'synthetic', flag: '--synthetic' }]));
    expect(overridden.map((w) => w.data)).toContainEqual({ path: 'market_data.candles_file', given: '/data/btc.csv', given_by: 'flag --set market_data.candles_file', runs: 'synthetic', runs_by: 'flag --synthetic' });
    expect(messages(load(['market_data.source=candles_file', 'market_data.candles_file=/data/btc.csv']))).toEqual([]);
  });

  it('starting_quote_balance given for this run on an account that exists: it funded nothing', () => {
    const raised = load(['trading.starting_quote_balance=5000', 'trading.quote_currency=USD']);
    expect(startingBalanceNotRun(raised, { created: false, quoteBalance: Decimal.parse('968.5') }).map((w) => w.message)).toEqual([
      "trading.starting_quote_balance=5000 (from flag --set trading.starting_quote_balance) is not what runs: it funds only a new account, and this data directory's account exists (it holds 968.5 USD); to start with 5000 USD, use a fresh --data-dir",
    ]);
    // A new account is funded with it; an account holding just that has what was asked; the default was asked of no run.
    expect(startingBalanceNotRun(raised, { created: true, quoteBalance: Decimal.parse('5000') })).toEqual([]);
    expect(startingBalanceNotRun(raised, { created: false, quoteBalance: Decimal.parse('5000') })).toEqual([]);
    expect(startingBalanceNotRun(load([]), { created: false, quoteBalance: Decimal.parse('12') })).toEqual([]);
  });
});

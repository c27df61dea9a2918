import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { auditConfig } from './audit.js';
import { formatProblem } from './config-problem.js';
import { loadConfig, type LoadConfigOptions } from './load-config.js';

function file(name: string, text: string): string {
  const path = join(tempDir('tradetrace-file-decimal-'), name);
  writeFileSync(path, text);
  return path;
}

function loaded(options: LoadConfigOptions) {
  const result = loadConfig({ env: {}, ...options });
  if (!result.ok) throw new Error(result.errors.map(formatProblem).join('\n'));
  return { config: result.value.config, hash: auditConfig(result.value.config).hash };
}

const BIG = '12345678901234567.25';
const LONG = '1000.123456789012345678901234567890';

describe('a decimal key written as a number in a config file', () => {
  it.each([
    ['bot.yaml', `trading:\n  starting_quote_balance: ${BIG}\n`, BIG],
    ['bot.json', `{"trading": {"starting_quote_balance": ${BIG}}}`, BIG],
    ['bot.yaml', `trading:\n  starting_quote_balance: ${LONG}\n`, LONG],
    ['bot.json', `{\n  "trading": {\n    "starting_quote_balance": ${LONG}\n  }\n}\n`, LONG],
  ])('%s is read exactly from its text: %s', (name, text, value) => {
    const fromFile = loaded({ file: file(name, text) });
    const fromFlag = loaded({ sets: [`trading.starting_quote_balance=${value}`] });
    expect(fromFile.config.trading.starting_quote_balance.toString()).toBe(fromFlag.config.trading.starting_quote_balance.toString());
    expect(fromFile.hash).toBe(fromFlag.hash);
  });

  it('reads a YAML alias of one from its anchor\'s text', () => {
    const fromFile = loaded({ file: file('bot.yml', `execution:\n  quote_budget: &money ${BIG}\ntrading:\n  starting_quote_balance: *money\n`) });
    const fromFlag = loaded({ sets: [`execution.quote_budget=${BIG}`, `trading.starting_quote_balance=${BIG}`] });
    expect(fromFile.config.trading.starting_quote_balance.toString()).toBe(BIG);
    expect(fromFile.hash).toBe(fromFlag.hash);
  });

  it('keeps a number whose float is the written value as it was, and gives --set\'s hash', () => {
    const yaml = loaded({ file: file('bot.yaml', 'trading:\n  starting_quote_balance: 50.0\nexits:\n  take_profit_pct: 0.001\n') });
    const json = loaded({ file: file('bot.json', '{"trading": {"starting_quote_balance": 50}, "exits": {"take_profit_pct": 0.001}}') });
    const flags = loaded({ sets: ['trading.starting_quote_balance=50', 'exits.take_profit_pct=0.001'] });
    expect(yaml.hash).toBe(flags.hash);
    expect(json.hash).toBe(flags.hash);
  });

  it('reads an exponent or a hex integer exactly too', () => {
    const exponent = loaded({ file: file('bot.yaml', 'trading:\n  starting_quote_balance: 1.234567890123456789e3\n') });
    expect(exponent.config.trading.starting_quote_balance.toString()).toBe('1234.567890123456789');
    const hex = loaded({ file: file('bot.yaml', 'trading:\n  starting_quote_balance: 0x20000000000001\n') });
    expect(hex.config.trading.starting_quote_balance.toString()).toBe('9007199254740993');
  });

  it('refuses too many places as --set does, naming the file', () => {
    const places = `0.${'1'.repeat(40)}`;
    const result = loadConfig({ env: {}, file: file('bot.json', `{"trading": {"starting_quote_balance": ${places}}}`) });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map(formatProblem).join('\n')).toMatch(/^trading\.starting_quote_balance: expected a decimal number .*, got "0\.1{40}" \(from file .*bot\.json\)$/);
  });

  it('leaves integer keys alone', () => {
    const result = loaded({ file: file('bot.yaml', 'trading:\n  max_open_positions: 3\n') });
    expect(result.config.trading.max_open_positions).toBe(3);
  });
});

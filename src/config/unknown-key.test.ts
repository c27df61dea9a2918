import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { formatProblem } from './config-problem.js';
import { loadConfig, type LoadConfigOptions } from './load-config.js';

function refusal(options: LoadConfigOptions): string {
  const result = loadConfig({ env: {}, ...options });
  if (result.ok) throw new Error('expected the config to be refused');
  return result.errors.map(formatProblem).join('\n');
}

function file(name: string, text: string): string {
  const path = join(tempDir('tradetrace-unknown-key-'), name);
  writeFileSync(path, text);
  return path;
}

describe('a key put in the wrong section', () => {
  it('from --set is pointed to the section that has it', () => {
    expect(refusal({ sets: ['trading.take_profit_pct=2'] })).toBe(
      'trading.take_profit_pct: unknown config key (from flag --set trading.take_profit_pct); did you mean exits.take_profit_pct?',
    );
  });

  it('from a file is pointed to the section that has it', () => {
    const path = file('bot.yaml', 'trading:\n  quote_budget: 5\n');
    expect(refusal({ file: path })).toBe(`trading.quote_budget: unknown config key (from file ${path}); did you mean execution.quote_budget?`);
  });

  it('mis-spelt as well gets the one key whose name is close', () => {
    expect(refusal({ sets: ['trading.quote_budgt=5'] })).toMatch(/did you mean execution\.quote_budget\?$/);
  });

  it('still gets the closest spelling in its own section, and the env form its env name', () => {
    expect(refusal({ sets: ['trading.max_open_positon=2'] })).toMatch(/did you mean trading\.max_open_positions\?$/);
    expect(refusal({ env: { TRADETRACE__TRADING__SLIPPAGE_BPS: '5' } })).toMatch(/did you mean TRADETRACE__EXECUTION__SLIPPAGE_BPS\?$/);
    expect(refusal({ sets: ['trading.nothing_like_it=1'] })).toBe('trading.nothing_like_it: unknown config key (from flag --set trading.nothing_like_it)');
  });
});

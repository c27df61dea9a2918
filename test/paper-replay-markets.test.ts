import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { ALTCOIN_JSON, BTC_PERP_CSV, sharedDataAvailable } from './support/shared-data.js';
import { tempDir } from './support/temp-dir.js';

describe.runIf(sharedDataAvailable())('tradetrace paper: the two shipped candle files together', () => {
  it('says up front that they quote in different currencies, naming each, with flags that then run (exit 2, then 0)', async () => {
    const dataDir = join(tempDir('tradetrace-mixed-quotes-'), 'd');
    const common = ['paper', '--data', BTC_PERP_CSV, '--data', ALTCOIN_JSON, '--speed', 'max', '--duration', '2m', '--data-dir', dataDir];
    const refused = await runCli(common);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain('the --data files quote in different currencies (USD, BTC)');
    expect(refused.stderr).toContain(`  ${BTC_PERP_CSV}: BTC/USD, quoted in USD\n  ${ALTCOIN_JSON}: UNITTEST/BTC, quoted in BTC\n`);
    expect(refused.stderr).toMatch(/\nnothing started\n$/);
    expect(existsSync(dataDir)).toBe(false);

    // The suggested flags, taken from the message as an operator would copy them, replay both files.
    const suggested = /\n {2}(--symbol .*)\n/.exec(refused.stderr)?.[1];
    expect(suggested).toBe('--symbol BTC/USD --symbol UNITTEST/USD --set trading.quote_currency=USD');
    const replayed = await runCli([...common, ...(suggested ?? '').split(' ')], { timeoutMs: 150_000 });
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(replayed.stdout).toContain('UNITTEST/USD');
  }, 240_000);

  it('names both files when one market is given twice, before anything starts', async () => {
    const dataDir = join(tempDir('tradetrace-dup-file-'), 'd');
    const result = await runCli(['paper', '--data', ALTCOIN_JSON, '--data', ALTCOIN_JSON, '--speed', 'max', '--data-dir', dataDir, '--set', 'trading.quote_currency=BTC']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`--data ${ALTCOIN_JSON} is given twice; expected one file per symbol`);
    expect(existsSync(dataDir)).toBe(false);
  });
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { formatProblem } from './config-problem.js';
import { loadConfig } from './load-config.js';

function file(name: string, text: string): string {
  const path = join(tempDir('tradetrace-empty-'), name);
  writeFileSync(path, text);
  return path;
}

/** The problems loading `path` gives, one formatted line each; [] when it loads. */
function refusal(path: string): string[] {
  const result = loadConfig({ file: path });
  return result.ok ? [] : result.errors.map(formatProblem);
}

describe('a config file or value left empty', () => {
  it('refuses a file with no settings at all (a truncated deploy must not run the defaults with trading on)', () => {
    const texts: [string, string][] = [
      ['empty.yaml', ''],
      ['comments.yaml', '# trading:\n#   global_trading: false\n'],
      ['marker.yaml', '---\n'],
      ['null.yaml', 'null\n'],
      ['tilde.yml', '~'],
      ['null.json', 'null'],
    ];
    for (const [name, text] of texts) {
      const path = file(name, text);
      expect(refusal(path), name).toEqual([
        `config file ${path}: is empty (or only comments, or null); expected sections of settings, e.g. "trading:" then "  global_trading: false" beneath it (a file meant to change nothing holds {})`,
      ]);
    }
    // Written out on purpose, an empty mapping changes nothing, as before.
    expect(refusal(file('none.json', '{}'))).toEqual([]);
  });

  it('refuses a key with no value, naming the key, the file, the line and the default it would have meant', () => {
    const yaml = file('f.yaml', 'execution:\n  slippage_bps: 5\ntrading:\n  global_trading:\n');
    expect(refusal(yaml)).toEqual([`config file ${yaml}:4:3: trading.global_trading has no value; give one, or remove the line to use the default (true)`]);
    const json = file('f.json', '{\n  "trading": {\n    "global_trading": null\n  }\n}\n');
    expect(refusal(json)).toEqual([`config file ${json}:3:5: trading.global_trading has no value; give one, or remove the line to use the default (true)`]);
    const tilde = file('t.yaml', 'market_data:\n  candles_file: ~\n  speed: null\n');
    expect(refusal(tilde)).toEqual([
      `config file ${tilde}:2:3: market_data.candles_file has no value; give one, or remove the line to use the default (empty)`,
      `config file ${tilde}:3:3: market_data.speed has no value; give one, or remove the line to use the default (1)`,
    ]);
  });

  it('refuses a section left empty, naming it', () => {
    const path = file('s.yaml', 'execution:\n  slippage_bps: 5\ntrading:\n');
    expect(refusal(path)).toEqual([`config file ${path}:3:1: section trading is empty; give its keys beneath it, or remove the line`]);
    const json = file('s.json', '{"trading": null}');
    expect(refusal(json)).toEqual([`config file ${json}:1:2: section trading is empty; give its keys beneath it, or remove the line`]);
  });

  it('takes a section left empty on purpose (its keys commented out, or other sections after it) as its defaults', () => {
    const template = file('c.yaml', 'exchange:\n  # api_key: put-the-key-here\n  # api_secret: put-the-secret-here\n');
    expect(loadConfig({ file: template }).ok).toBe(true);
    const between = file('b.yaml', 'alerts:\nexecution:\n  slippage_bps: 5\n');
    const loaded = loadConfig({ file: between });
    expect(loaded.ok && loaded.value.config.execution.slippage_bps).toBe(5);
  });

  it('still takes null as unset for the keys the schema makes optional (credentials, the webhook URL)', () => {
    const loaded = loadConfig({ file: file('o.yaml', 'exchange:\n  api_key:\n  api_secret: null\nalerts:\n  webhook_url: ~\n') });
    expect(loaded.ok && [loaded.value.config.exchange.api_key, loaded.value.config.exchange.api_secret, loaded.value.config.alerts.webhook_url]).toEqual([undefined, undefined, undefined]);
  });
});

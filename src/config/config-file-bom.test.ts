import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { formatProblem } from './config-problem.js';
import { loadConfig } from './load-config.js';

function file(name: string, text: string): string {
  const path = join(tempDir('tradetrace-config-file-'), name);
  writeFileSync(path, text);
  return path;
}

describe('config files as editors save them', () => {
  it('reads a JSON file that starts with a byte order mark, as it reads the same YAML', () => {
    for (const name of ['c.json', 'c.yaml']) {
      const loaded = loadConfig({ file: file(name, '\uFEFF{"trading":{"max_open_positions":2}}') });
      expect(loaded.ok && loaded.value.config.trading.max_open_positions, name).toBe(2);
    }
  });

  it('says a YAML file with two documents holds two, in its own words and with the line of the second', () => {
    const path = file('c.yaml', 'trading:\n  max_open_positions: 2\n---\ntrading:\n  max_open_positions: 3\n');
    const loaded = loadConfig({ file: path });
    expect(loaded.ok).toBe(false);
    const said = loaded.ok ? '' : loaded.errors.map(formatProblem).join('\n');
    expect(said).toBe(`config file ${path}:3:1: invalid YAML: the file holds more than one document (a second ---); a config file is one document`);
  });
});

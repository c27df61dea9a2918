import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { writeNoTrades } from './testing/incidents.js';

describe('trace on a data directory where no index can be written', () => {
  it('answers by a scan and says the index could not be written, instead of promising an instant next query every time', async () => {
    const dataDir = tempDir('tt-unwritable-index-');
    const facts = writeNoTrades(dataDir);
    // What a reader who may not write the bot's directory meets, for root too: the index's place is taken.
    writeFileSync(join(dataDir, 'index'), 'not a directory');
    const id = facts.maxOpen[0] ?? '';
    for (let run = 0; run < 2; run++) {
      const r = await runQuery(['trace', id, '--data-dir', dataDir]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`decision ${id}`);
      expect(r.stderr).toContain(`no index could be written in ${join(dataDir, 'index')}: each trace scans the logs`);
    }
  });
});

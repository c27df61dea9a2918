import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../test/support/cli.js';
import { tempDir } from '../../test/support/temp-dir.js';

const ENTRY = join(PROJECT_ROOT, 'dist', 'cli', 'entry.js');
const built = existsSync(ENTRY);
if (!built) {
  // npm install (and CI's npm ci) builds dist/ through the prepare script: missing there is a broken install.
  if (process.env['CI'] === 'true') throw new Error(`CI=true but ${ENTRY} is missing: npm ci should have built it`);
  console.warn(`entry-source-maps: ${ENTRY} is not built (run npm run build); the compiled entry's DASH_EVENT sources are not checked`);
}

describe.skipIf(!built)('the compiled entry (node dist/cli/entry.js)', () => {
  it('names the TypeScript file and line in DASH_EVENT source, as bin/tradetrace.js and a run from source do', () => {
    const dataDir = join(tempDir('tt-entry-maps-'), 'data');
    const run = spawnSync(process.execPath, [ENTRY, 'paper', '--synthetic', 'BTC/USDT', '--speed', 'max', '--duration', '2s', '--data-dir', dataDir], {
      env: { ...process.env, ENABLE_LIVE_DASHBOARD: 'false' }, encoding: 'utf8', timeout: 90_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const sources = readFileSync(join(dataDir, 'logs', 'dashboard.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { source: string }).source);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of new Set(sources)) expect(source).toMatch(/^src\/[a-z/-]+\.ts:\d+$/);
  }, 120_000);
});

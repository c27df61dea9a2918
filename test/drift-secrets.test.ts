import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { runQuery } from './support/run-query.js';
import { tempDir } from './support/temp-dir.js';

const KEY = 'AKIA-live-7c1e9f20aa';
const ROTATED = 'AKIA-live-0b44d1c3ee';
const HOOK = 'https://hooks.example.com/T0KEN-5f5e4d';

describe('acceptance: drift tells a credential added or removed from one replaced', () => {
  it('three demo sessions (no secrets; key and webhook set; key replaced and webhook removed): drift says which, and never prints a secret', async () => {
    const dataDir = join(tempDir('tradetrace-drift-secrets-'), 'data');
    for (const env of [{}, { TRADETRACE__EXCHANGE__API_KEY: KEY, TRADETRACE__ALERTS__WEBHOOK_URL: HOOK }, { TRADETRACE__EXCHANGE__API_KEY: ROTATED }]) {
      const run = await runCli(['demo', '--data-dir', dataDir], { env });
      expect(run.code, run.stderr).toBe(0);
    }
    const [first, second, third] = readdirSync(join(dataDir, 'sessions')).sort();

    const drift = await runQuery(['drift', '--data-dir', dataDir]);
    expect(drift.code, drift.stderr).toBe(0);
    const sections = drift.stdout.split('\n\n').slice(1);
    expect(sections).toEqual([
      expect.stringMatching(new RegExp(`^drift [0-9a-f]{8} -> [0-9a-f]{8}: ${first} -> ${second} \\(2 changed paths\\)\n  alerts\\.webhook_url: \\(unset\\) -> \\[set\\] \\(env TRADETRACE__ALERTS__WEBHOOK_URL; was default\\)\n  exchange\\.api_key: \\(unset\\) -> \\[set\\] \\(env TRADETRACE__EXCHANGE__API_KEY; was default\\)$`)) as string,
      expect.stringMatching(new RegExp(`^drift [0-9a-f]{8} -> [0-9a-f]{8}: ${second} -> ${third} \\(2 changed paths\\)\n  alerts\\.webhook_url: \\[set\\] -> \\(unset\\) \\(default; was env TRADETRACE__ALERTS__WEBHOOK_URL\\)\n  exchange\\.api_key: \\[secret changed\\] \\(env TRADETRACE__EXCHANGE__API_KEY\\)\n$`)) as string,
    ]);
    const json = await runQuery(['drift', '--json', '--data-dir', dataDir]);
    const everything = [drift.stdout, json.stdout, readFileSync(join(dataDir, 'logs', 'audit.jsonl'), 'utf8')].join('\n');
    for (const secret of [KEY, ROTATED, HOOK, 'T0KEN']) expect(everything).not.toContain(secret);
  });
});

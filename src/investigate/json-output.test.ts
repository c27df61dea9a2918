import { beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { BASE_CONFIG, writeConfigDrift, writeNoTrades } from './testing/incidents.js';
import { SessionWriter } from './testing/session-writer.js';

// What each command's --help says --json prints is what it prints: the raw log lines, or an object
// whose every field the help names (and no field the help names is missing).

/** Where an option's description starts in the shared options' help. */
const TEXT_COLUMN = '  --data-dir DIR   '.length;

/** The --json entry of a command's help: its line and the lines that go on under its text. */
async function jsonHelp(command: string): Promise<string> {
  const lines = (await runQuery([command, '--help'])).stdout.split('\n');
  const at = lines.findIndex((l) => l.startsWith('  --json '));
  const rest = lines.slice(at + 1);
  const end = rest.findIndex((l) => !l.startsWith(' '.repeat(TEXT_COLUMN)));
  return [lines[at] ?? '', ...rest.slice(0, end)].join('\n');
}

/** The field names a help text shows, as `"name":`. */
function namedFields(help: string): Set<string> {
  return new Set([...help.matchAll(/"(\w+)":/g)].map((m) => m[1] ?? ''));
}

/** Every key of every object in a JSON value, except inside `maps` (keyed by data, not by field name). */
function keysOf(value: unknown, maps: readonly string[], into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) keysOf(item, maps, into);
  else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      into.add(key);
      if (!maps.includes(key)) keysOf(inner, maps, into);
    }
  }
  return into;
}

const objects = (stdout: string): unknown[] => stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown);

/** Two sessions whose config differs in a plain key and a secret, so a change row has every field drift's help names. */
function writeSecretDrift(dataDir: string): void {
  const first = new SessionWriter({ dataDir, sessionId: 'session_20251026_090000', start: new Date('2025-10-26T09:00:00.000Z'), config: BASE_CONFIG });
  first.tick(1000).end('signal', 0);
  const config = { ...BASE_CONFIG, exchange: { name: 'binance', api_key: null }, trading: { symbols: ['BTC/USDT'], max_open_positions: 1 } };
  const second = new SessionWriter({ dataDir, sessionId: 'session_20251026_100000', start: new Date('2025-10-26T10:00:00.000Z'), config, previous: { sessionId: first.sessionId, config: BASE_CONFIG } });
  second.tick(1000).end('signal', 0);
}

describe('--json prints what each command says it prints', () => {
  const noTrades = tempDir('tt-json-why-');
  const drift = tempDir('tt-json-drift-');
  const secretDrift = tempDir('tt-json-drift-secret-');
  beforeAll(() => {
    writeNoTrades(noTrades);
    writeConfigDrift(drift);
    writeSecretDrift(secretDrift);
  });

  it('why: one summary object with exactly the fields its help names', async () => {
    const help = await jsonHelp('why');
    expect(help).not.toContain('raw log lines');
    const r = await runQuery(['why', '--json', '--data-dir', noTrades]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const printed = objects(r.stdout);
    expect(printed).toHaveLength(1);
    expect(keysOf(printed[0], ['outcomes'])).toEqual(namedFields(help));
  });

  it('why: with --json and no decision, stdout stays empty and the answer goes to stderr', async () => {
    const r = await runQuery(['why', 'DOGE/USDT', '--json', '--data-dir', noTrades]);
    expect([r.code, r.stdout]).toEqual([1, '']);
    expect(r.stderr).toContain('no decisions for DOGE/USDT; decisions were made for BTC/USDT (7), ETH/USDT (3)\n');
  });

  it('drift: one object with exactly the fields its help names', async () => {
    const help = await jsonHelp('drift');
    expect(help).not.toContain('raw log lines');
    const r = await runQuery(['drift', '--json', '--data-dir', secretDrift]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const printed = objects(r.stdout);
    expect(printed).toHaveLength(1);
    expect(keysOf(printed[0], [])).toEqual(namedFields(help));
  });

  it('sessions: one object per session with exactly the fields its help names', async () => {
    const help = await jsonHelp('sessions');
    expect(help).not.toContain('raw log lines');
    const r = await runQuery(['sessions', '--json', '--data-dir', drift]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const printed = objects(r.stdout);
    expect(printed).toHaveLength(2);
    for (const row of printed) expect(keysOf(row, [])).toEqual(namedFields(help));
  });

  it('trace, orders, health and dash: the raw log lines, as their help says', async () => {
    for (const command of ['trace', 'orders', 'health', 'dash']) expect(await jsonHelp(command)).toContain('print the matching raw log lines');
    const r = await runQuery(['health', '--json', '--data-dir', noTrades]);
    expect(r.code).toBe(0);
    const types = objects(r.stdout).map((line) => (line as { event_type?: unknown }).event_type);
    expect(types).toEqual(['SESSION_START', 'SHUTDOWN_HEARTBEAT', 'SHUTDOWN_COMPLETE', 'SESSION_END']);
  });
});

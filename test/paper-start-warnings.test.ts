import { spawn } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, runCli } from './support/cli.js';
import { scriptAvailable } from './support/script-command.js';
import { BTC_PERP_CSV, sharedDataAvailable } from './support/shared-data.js';
import { tempDir } from './support/temp-dir.js';
import { terminalScreen } from './support/terminal-screen.js';

const hasData = sharedDataAvailable();
const hasScript = scriptAvailable('paper-start-warnings');

const PLAIN = { ENABLE_LIVE_DASHBOARD: 'false' };
/** The session after the one that left BTC/USD open: it trades ETH/USD only. */
const ETH_RUN = ['paper', '--synthetic', 'ETH/USD', '--set', 'trading.quote_currency=USD', '--speed', 'max', '--duration', '2s'];
const HELD = /^tradetrace paper: warning: BTC\/USD [\d.]+ \(dec_\d{8}_\d{6}_[0-9a-f]{6}\) is held but not traded this session \(ETH\/USD\): no bar of it comes, so no exit rule can fire on it, and it counts toward trading\.max_open_positions \(1\); trade BTC\/USD again to manage it$/m;

function logLines(dataDir: string, channel: string): Record<string, unknown>[] {
  return readFileSync(join(dataDir, 'logs', `${channel}.jsonl`), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The start warnings (LOG warn, data.start_warning) the session in `dataDir` whose id is `sessionId` wrote. */
function startWarningLogs(dataDir: string, sessionId: string): string[] {
  return logLines(dataDir, 'system').flatMap((l) => {
    const data = l['data'] as Record<string, unknown> | undefined;
    return l['session_id'] === sessionId && l['event_type'] === 'LOG' && l['level'] === 'warn' && data?.['start_warning'] !== undefined ? [String(l['message'])] : [];
  });
}

function sessionIdOf(stdout: string): string {
  const id = /paper session (session_\d{8}_\d{6}) ended/.exec(stdout)?.[1];
  if (id === undefined) throw new Error(`no summary in:\n${stdout}`);
  return id;
}

describe.skipIf(!hasData)('tradetrace paper: what will limit trading is said on the terminal before trading begins', () => {
  /** A data dir whose books hold a BTC/USD position: the BTC-PERP candles replayed to their end leave one open. */
  let heldDir = '';
  beforeAll(async () => {
    heldDir = join(tempDir('tradetrace-held-'), 'data');
    const first = await runCli(['paper', '--data', BTC_PERP_CSV, '--symbol', 'BTC/USD', '--set', 'trading.quote_currency=USD', '--speed', 'max', '--data-dir', heldDir], { env: PLAIN, timeoutMs: 120_000 });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^ {2}positions {4}BTC\/USD [\d.]+ @ [\d.]+ \(dec_[^)]+\)$/m);
  }, 150_000);

  const copyOfHeld = (): string => {
    const dataDir = join(tempDir('tradetrace-held-copy-'), 'data');
    cpSync(heldDir, dataDir, { recursive: true });
    return dataDir;
  };

  it('a position in a symbol the session does not trade: a warning line on stderr (the LOG line\'s words), and the summary marks it', async () => {
    const dataDir = copyOfHeld();
    const run = await runCli([...ETH_RUN, '--data-dir', dataDir], { env: PLAIN, timeoutMs: 90_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(HELD);
    // Every buy is blocked by it, and the summary says why beside the position.
    expect(run.stdout).toMatch(/^ {2}blocked by {3}max_open_positions \d+$/m);
    expect(run.stdout).toMatch(/^ {2}positions {4}BTC\/USD [\d.]+ @ [\d.]+ \(dec_[^)]+\), not traded this session: no exit rule runs on it$/m);
    // One source: the terminal line is the LOG line, word for word.
    const logged = startWarningLogs(dataDir, sessionIdOf(run.stdout));
    const printed = run.stderr.split('\n').filter((l) => l.startsWith('tradetrace paper: warning: ')).map((l) => l.slice('tradetrace paper: warning: '.length));
    expect(printed).toEqual(logged);
    expect(logged).toHaveLength(1);
  }, 120_000);

  it.skipIf(!hasScript)('under the live dashboard: the warning stays on screen above the frame, which is drawn below it', async () => {
    const dataDir = copyOfHeld();
    const [rows, columns] = [40, 120];
    // No config_drift alert: it prints on stderr too, and this case is about the start warnings alone.
    const command = `stty rows ${rows} cols ${columns}; node_modules/.bin/tsx src/cli/entry.ts ${ETH_RUN.join(' ')} --set alerts.config_drift=false --data-dir ${dataDir}`;
    const output = await new Promise<string>((done, fail) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: PROJECT_ROOT, env: { ...process.env, TERM: 'xterm' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
      child.on('error', fail);
      child.on('close', () => {
        clearTimeout(timer);
        done(out);
      });
    });
    expect(output).toMatch(/ended: duration_reached \(exit 0\)/);
    // The screen as the last frame left it (the summary below it is printed after that).
    const lastFrameEnd = output.lastIndexOf('\u001b[?25h');
    expect(lastFrameEnd).toBeGreaterThan(0);
    const screen = terminalScreen(output.slice(0, lastFrameEnd), rows, columns);
    const warning = 'tradetrace paper: warning: BTC/USD ';
    expect(screen[0]?.startsWith(warning), screen.join('\n')).toBe(true);
    const text = screen.slice(0, 3).join('');
    expect(text).toMatch(/is held but not traded this session \(ETH\/USD\).*trade BTC\/USD again to manage it$/);
    // The frame starts on the row under the warning (3 rows of 120 columns), whole: header first.
    expect(screen[3], screen.join('\n')).toMatch(/^tradetrace {2}session_\d{8}_\d{6} {2}paper /);
    expect(screen.join('\n')).toContain('POSITIONS (1)');
    // And the summary after it marks the position.
    expect(output.slice(lastFrameEnd)).toContain('not traded this session: no exit rule runs on it');
  }, 120_000);
});

describe('tradetrace paper: a setting given that is not what runs is said on the terminal', () => {
  it('exchange.name=binance (with API keys) and a --set trading.symbols that --data overrides: one warning line each on stderr, no secret in it', async () => {
    if (!hasData) return;
    const dir = tempDir('tradetrace-not-run-');
    // A day of the real candles, in the test's own temp dir.
    const csv = join(dir, 'btc-day.csv');
    writeFileSync(csv, readFileSync(BTC_PERP_CSV, 'utf8').split('\n').slice(0, 1441).join('\n') + '\n');
    const dataDir = join(dir, 'data');
    const run = await runCli(
      ['paper', '--data', csv, '--symbol', 'BTC/USD', '--set', 'trading.quote_currency=USD', '--set', 'trading.symbols=ETH/USD', '--set', 'exchange.name=binance', '--speed', 'max', '--data-dir', dataDir],
      { env: { ...PLAIN, TRADETRACE__EXCHANGE__API_KEY: 'key-s3cret-1', TRADETRACE__EXCHANGE__API_SECRET: 'secret-s3cret-2' }, timeoutMs: 90_000 },
    );
    expect(run.code, run.stderr).toBe(0);
    const warnings = run.stderr.split('\n').filter((l) => l.startsWith('tradetrace paper: warning: '));
    expect(warnings).toEqual([
      'tradetrace paper: warning: exchange.name=binance (from flag --set exchange.name) is not what runs: tradetrace paper trades on its simulated paper exchange only; binance is not contacted, and exchange.api_key and exchange.api_secret are not used',
      'tradetrace paper: warning: --set trading.symbols=ETH/USD is not what runs: trading.symbols is BTC/USD, from flag --symbol, which wins over it',
    ]);
    expect(run.stderr + run.stdout).not.toMatch(/s3cret/);
    // The same words in the log, as LOG warn lines.
    expect(startWarningLogs(dataDir, sessionIdOf(run.stdout))).toEqual(warnings.map((l) => l.slice('tradetrace paper: warning: '.length)));
  }, 120_000);
});

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT, runCli } from './support/cli.js';
import { scriptAvailable } from './support/script-command.js';
import { tempDir } from './support/temp-dir.js';

const ESC = '\u001b';
const PROGRESS = /^\[\d\d:\d\d:\d\dZ\] bars=\d+ \| positions=\d+/gm;
const FAST = ['--synthetic', 'BTC/USDT,ETH/USDT', '--speed', '1200', '--set', 'trading.max_open_positions=2'];

/**
 * Runs the paper command and records when each stdout chunk arrived, to measure the silences of the
 * session in `dataDir`: from its SESSION_START on, not from the spawn (how long node and tsx take to
 * load the bot is the machine's speed, seconds on a loaded one).
 */
function timedRun(command: string, args: readonly string[], env: NodeJS.ProcessEnv, dataDir: string): Promise<{ code: number | null; stdout: string; stderr: string; gapsMs: number[] }> {
  return new Promise((done, fail) => {
    const child = spawn(command, [...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const arrivals: number[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      arrivals.push(Date.now());
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      const times = [sessionStartMs(dataDir), ...arrivals];
      done({ code, stdout, stderr, gapsMs: times.slice(1).map((t, i) => t - (times[i] ?? t)) });
    });
  });
}

/** When the session in `dataDir` wrote SESSION_START (NaN without one, which fails the silence check). */
function sessionStartMs(dataDir: string): number {
  const audit = join(dataDir, 'logs', 'audit.jsonl');
  if (!existsSync(audit)) return Number.NaN;
  const start = readFileSync(audit, 'utf8').split('\n').find((l) => l.includes('"event_type":"SESSION_START"'));
  return start === undefined ? Number.NaN : Date.parse(String((JSON.parse(start) as { ts?: unknown }).ts));
}

const hasScript = scriptAvailable('paper-cli');

describe('tradetrace paper: terminal output', () => {
  it('with stdout piped: plain progress lines and dashboard events, no ANSI escapes, never silent for long, then the summary', async () => {
    const dataDir = join(tempDir('tradetrace-paper-pipe-'), 'data');
    const tsx = resolve(PROJECT_ROOT, 'node_modules/.bin/tsx');
    const run = await timedRun(tsx, ['src/cli/entry.ts', 'paper', ...FAST, '--duration', '12s', '--data-dir', dataDir], {}, dataDir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain(ESC);
    expect(run.stdout.match(PROGRESS)?.length ?? 0).toBeGreaterThanOrEqual(2);
    expect(run.stdout).toMatch(/^\[\d\d:\d\d:\d\dZ\] BUY_FILLED [A-Z]+\/USDT @ \$[\d.]+/m);
    // The plain summary line comes every 5 s; the first chunk comes at once after SESSION_START (before the warm-up).
    expect(Math.max(...run.gapsMs)).toBeLessThan(7_000);
    expect(run.stdout).toMatch(/paper session session_\d{8}_\d{6} ended: duration_reached \(exit 0\)/);
    expect(run.stdout).toMatch(/tradetrace trace dec_\d{8}_\d{6}_[0-9a-f]{6} --data-dir /);
  }, 90_000);

  it.skipIf(!hasScript)('on a terminal: the live dashboard redraws in place, and shows the cursor again at the end', async () => {
    const dataDir = join(tempDir('tradetrace-paper-tty-'), 'data');
    // `script`'s terminal has no size unless told; the dashboard fits its frame to the rows.
    const command = `stty rows 50 cols 160; node_modules/.bin/tsx src/cli/entry.ts paper ${FAST.join(' ')} --duration 6s --data-dir ${dataDir}`;
    const run = await timedRun('script', ['-qec', command, '/dev/null'], { TERM: 'xterm' }, dataDir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`${ESC}[`);
    expect(run.stdout).toContain('POSITIONS');
    expect(run.stdout).toContain('RECENT EVENTS');
    // The frame hid the cursor; it must be shown again before the summary.
    const hide = run.stdout.lastIndexOf(`${ESC}[?25l`);
    const show = run.stdout.lastIndexOf(`${ESC}[?25h`);
    expect(hide).toBeGreaterThanOrEqual(0);
    expect(show).toBeGreaterThan(hide);
    expect(run.stdout.indexOf('ended: duration_reached (exit 0)')).toBeGreaterThan(show);
  }, 90_000);

  it.skipIf(!hasScript)('on a terminal: an alert firing under the live dashboard is in its ALERTS panel, and its console line comes under the last frame, not under one that erases it', async () => {
    const dataDir = join(tempDir('tradetrace-paper-tty-alert-'), 'data');
    // Every order rejected: order_failure_rate fires within the first few intents.
    const command = `stty rows 40 cols 140; node_modules/.bin/tsx src/cli/entry.ts paper ${FAST.join(' ')} --set paper_exchange.fault_reject=1 --duration 6s --data-dir ${dataDir}`;
    const run = await timedRun('script', ['-qec', command, '/dev/null'], { TERM: 'xterm' }, dataDir);
    expect(run.code, run.stderr).toBe(0);
    const shown = run.stdout.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
    expect(shown).toMatch(/\nALERTS {2}1 firing\r?\n {2}WARNING {2}order_failure_rate \[orders\] {2}since \d\d:\d\d:\d\d /);
    // The line was written under a frame and erased by the next one (its ESC[J) within half a second.
    const fired = run.stdout.indexOf('FIRED    order_failure_rate [orders]');
    expect(fired).toBeGreaterThan(run.stdout.lastIndexOf(`${ESC}[J`));
    expect(fired).toBeGreaterThan(run.stdout.lastIndexOf(`${ESC}[?25h`));
    expect(run.stdout.indexOf('ended: duration_reached (exit 0)')).toBeGreaterThan(fired);
  }, 90_000);

  it.skipIf(!hasScript)('ENABLE_LIVE_DASHBOARD=false on a terminal: no dashboard, but plain progress at least every few seconds', async () => {
    const dataDir = join(tempDir('tradetrace-paper-off-'), 'data');
    const command = `node_modules/.bin/tsx src/cli/entry.ts paper ${FAST.join(' ')} --duration 12s --data-dir ${dataDir}`;
    const run = await timedRun('script', ['-qec', command, '/dev/null'], { TERM: 'xterm', ENABLE_LIVE_DASHBOARD: 'false' }, dataDir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain(`${ESC}[`);
    expect(run.stdout).not.toContain('RECENT EVENTS');
    expect(run.stdout.match(PROGRESS)?.length ?? 0).toBeGreaterThanOrEqual(2);
    expect(Math.max(...run.gapsMs)).toBeLessThan(7_000);
  }, 90_000);
});

describe('tradetrace paper: bad input is exit 2 with an error naming the input and the expected form', () => {
  const dataDir = () => join(tempDir('tradetrace-paper-bad-'), 'data');
  const bad = async (args: readonly string[]) => {
    const dir = dataDir();
    const result = await runCli(['paper', ...args, '--data-dir', dir], { env: { ENABLE_LIVE_DASHBOARD: 'false' }, timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(2);
    return { ...result, dir };
  };

  it('an unknown flag', async () => {
    expect((await bad(['--sped', '10'])).stderr).toMatch(/Unknown option '--sped'/);
  });

  it('a bad --speed', async () => {
    expect((await bad(['--speed', 'fast'])).stderr).toMatch(/--speed: invalid speed "fast": expected a positive number .* or "max"/);
    expect((await bad(['--speed', '0'])).stderr).toMatch(/--speed: invalid speed "0"/);
  });

  it('a bad --duration', async () => {
    expect((await bad(['--duration', '5x'])).stderr).toMatch(/--duration "5x": expected a duration with a unit, e\.g\. .*90s, 5m, 2h/);
  });

  it('a --duration of 0: it has a unit, it is too short', async () => {
    for (const zero of ['0s', '0m', '0ms']) {
      const { stderr } = await bad(['--duration', zero]);
      expect(stderr).toContain(`tradetrace paper: --duration "${zero}": expected a duration of more than 0, e.g. 90s, 5m or 2h\n`);
      expect(stderr).not.toContain('with a unit');
    }
  });

  it('a --data file that does not exist: nothing started, no session directory', async () => {
    const missing = join(tempDir('tradetrace-paper-missing-'), 'BTC_USDT-1m.csv');
    const result = await bad(['--data', missing]);
    expect(result.stderr).toContain(`--data ${JSON.stringify(missing)}: no such file; expected a candle file`);
    expect(existsSync(join(result.dir, 'sessions'))).toBe(false);
  });

  it('the last status line agrees with the summary: the dashboard stops after the bar in flight at the stop', async () => {
    for (const seed of ['2', '4']) {
      const dir = dataDir();
      const r = await runCli(['paper', '--synthetic', 'BTC/USDT,ETH/USDT', '--speed', 'max', '--duration', '3s', '--seed', seed, '--data-dir', dir], { env: { ENABLE_LIVE_DASHBOARD: 'false' }, timeoutMs: 60_000 });
      expect(r.code, r.stderr).toBe(0);
      const last = r.stdout.split('\n').filter((l) => l.includes(' bars=')).at(-1) ?? '';
      const open = /^ {2}positions +(.*)$/m.exec(r.stdout)?.[1] ?? '';
      const realized = Number(/^ {2}PnL +realized (\S+)/m.exec(r.stdout)?.[1]);
      expect([seed, /positions=(\d+)/.exec(last)?.[1]]).toEqual([seed, open === 'none open' ? '0' : String(open.split(', ').length)]);
      expect([seed, /realized=([-+]\d+\.\d+)/.exec(last)?.[1]]).toEqual([seed, `${realized < 0 ? '-' : '+'}${Math.abs(realized).toFixed(2)}`]);
    }
  }, 180_000);

  it('a replay the config sets (market_data.candles_file) is checked before anything starts, as --data is, and trades trading.symbols', async () => {
    const dir = tempDir('tradetrace-paper-config-replay-');
    const rows = ['timestamp,open,high,low,close,volume'];
    for (let i = 0; i < 120; i++) rows.push(`${new Date(Date.UTC(2022, 0, 1, 0, i)).toISOString()},100,101,99,100.5,10`);
    const file = join(dir, 'ETH_USDT-1m.csv');
    writeFileSync(file, `${rows.join('\n')}\n`);
    const replay = ['--set', 'market_data.source=candles_file', '--speed', 'max'];
    const missing = await bad([...replay, '--set', `market_data.candles_file=${join(dir, 'nope.csv')}`]);
    expect(missing.stderr).toContain(`market_data.candles_file ${JSON.stringify(join(dir, 'nope.csv'))}: no such file`);
    expect(existsSync(missing.dir)).toBe(false);
    // The file is ETH/USDT, trading.symbols its default BTC/USDT: the feed used the file's name while the audit said BTC/USDT.
    const unnamed = await bad([...replay, '--set', `market_data.candles_file=${file}`]);
    expect(unnamed.stderr).toContain('market_data.candles_file replays ETH/USDT (from the file names) but trading.symbols is BTC/USDT (its default): set trading.symbols=ETH/USDT');
    expect(existsSync(unnamed.dir)).toBe(false);
    const counted = await bad([...replay, '--set', `market_data.candles_file=${file}`, '--set', 'trading.symbols=ETH/USDT,BTC/USDT']);
    expect(counted.stderr).toContain('trading.symbols names 2 symbol(s) (ETH/USDT, BTC/USDT) for 1 file(s) in market_data.candles_file');
    const named = dataDir();
    const ran = await runCli(['paper', ...replay, '--set', `market_data.candles_file=${file}`, '--set', 'trading.symbols=ETH/USDT', '--data-dir', named], { env: { ENABLE_LIVE_DASHBOARD: 'false' }, timeoutMs: 60_000 });
    expect(ran.code, ran.stderr).toBe(0);
    const decided = readFileSync(join(named, 'logs', 'decisions.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"DECISION_START"'));
    expect(decided.length).toBeGreaterThan(0);
    expect(decided.every((l) => l.includes('"symbol":"ETH/USDT"'))).toBe(true);
  }, 180_000);

  it('a malformed CSV row: the error names the file and line, and no order is placed', async () => {
    const dir = tempDir('tradetrace-paper-csv-');
    const rows = ['timestamp,open,high,low,close,volume'];
    for (let i = 0; i < 300; i++) rows.push(`${new Date(Date.UTC(2022, 0, 1, 0, i)).toISOString()},100,${i === 200 ? 'abc' : '101'},99,100.5,10`);
    const file = join(dir, 'ETH_USDT-1m.csv');
    writeFileSync(file, `${rows.join('\n')}\n`);
    const result = await bad(['--data', file, '--speed', 'max']);
    // Line 202: the header is line 1 and the bad row is the 201st data row.
    expect(result.stderr).toContain(`${file}:202: column high bad_value: got "abc", expected a decimal number`);
    const orders = join(result.dir, 'logs', 'orders.jsonl');
    expect(existsSync(orders) ? readFileSync(orders, 'utf8') : '').not.toContain('ORDER_CONTEXT');
  });

  it('a session refused on bad input says why in SESSION_END, and the next session measures drift from the last one that ran', async () => {
    const dir = tempDir('tradetrace-paper-refused-');
    const dataDir = join(dir, 'data');
    const candles = (folder: string, rowCount: number, badRow?: number): string => {
      const rows = ['timestamp,open,high,low,close,volume'];
      for (let i = 0; i < rowCount; i++) rows.push(`${new Date(Date.UTC(2022, 0, 1, 0, i)).toISOString()},100,${i === badRow ? 'abc' : '101'},99,100.5,10`);
      mkdirSync(join(dir, folder));
      const file = join(dir, folder, 'ETH_USDT-1m.csv');
      writeFileSync(file, `${rows.join('\n')}\n`);
      return file;
    };
    const good = candles('good', 300);
    // Refused while the session opens (the bad row is among the first read), and once the feed has started.
    const early = candles('early', 300, 200);
    const late = candles('late', 4000, 3000);
    const paper = (args: readonly string[]) => runCli(['paper', ...args, '--speed', 'max', '--data-dir', dataDir], { env: { ENABLE_LIVE_DASHBOARD: 'false' }, timeoutMs: 60_000 });
    expect((await paper(['--data', good])).code).toBe(0);
    for (const [file, slippage] of [[early, 30], [late, 40]] as const) {
      const refused = await paper(['--data', file, '--set', `execution.slippage_bps=${slippage}`]);
      expect(refused.code, refused.stderr).toBe(2);
      if (file === late) expect(refused.stdout, 'no decisions.jsonl to point at').toMatch(/no decision was made this session; its start and end are in .*audit\.jsonl/);
    }
    expect((await paper(['--data', good])).code).toBe(0);

    const audit = readFileSync(join(dataDir, 'logs', 'audit.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const ids = audit.filter((l) => l['event_type'] === 'SESSION_START').map((l) => String(l['session_id']));
    expect(ids).toHaveLength(4);
    for (const [id, file, row] of [[ids[1], early, 202], [ids[2], late, 3002]] as const) {
      const end = audit.find((l) => l['event_type'] === 'SESSION_END' && l['session_id'] === id);
      expect(end).toMatchObject({ reason: 'refused', exit_code: 2, error_code: 'bad_value' });
      expect(String(end?.['message'])).toContain(`${file}:${row}: column high bad_value`);
      const manifest = JSON.parse(readFileSync(join(dataDir, 'sessions', id ?? '', 'manifest.json'), 'utf8')) as Record<string, unknown>;
      expect(manifest['exit_reason']).toBe('refused');
    }
    // Each refused session's own drift is on record; the last compares with the first (same config): no drift.
    expect(audit.filter((l) => l['event_type'] === 'CONFIG_DIFF').map((l) => l['session_id'])).toEqual([ids[1], ids[2]]);
  }, 180_000);

  it('a replay after a demo on the same data dir decides its bars: the demo\'s decision near now is not a resume point', async () => {
    const dir = tempDir('tradetrace-paper-after-demo-');
    const dataDir = join(dir, 'data');
    const rows = ['timestamp,open,high,low,close,volume'];
    for (let i = 0; i < 300; i++) rows.push(`${new Date(Date.UTC(2022, 0, 1, 0, i)).toISOString()},100,101,99,100.5,10`);
    const file = join(dir, 'ETH_USDT-1m.csv');
    writeFileSync(file, `${rows.join('\n')}\n`);
    const env = { ENABLE_LIVE_DASHBOARD: 'false' };
    expect((await runCli(['demo', '--symbol', 'ETH/USDT', '--data-dir', dataDir], { env, timeoutMs: 60_000 })).code).toBe(0);
    const replay = await runCli(['paper', '--data', file, '--speed', 'max', '--data-dir', dataDir], { env, timeoutMs: 60_000 });
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).not.toContain('only warmed the indicators');
    const starts = readFileSync(join(dataDir, 'logs', 'decisions.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"DECISION_START"') && l.includes('"ETH/USDT"'));
    expect(starts.length).toBeGreaterThan(200);
  }, 180_000);

  it('a synthetic symbol not in BASE/QUOTE form', async () => {
    const result = await bad(['--synthetic', 'BTCUSDT']);
    expect(result.stderr).toMatch(/trading\.symbols: expected a non-empty list of market symbols like BTC\/USDT .*got "BTCUSDT" \(from flag --synthetic\)/);
  });

  it('a --metrics-port out of range', async () => {
    expect((await bad(['--metrics-port', '70000'])).stderr).toMatch(/alerts\.metrics_port: expected an integer from 0 to 65535, got "70000" \(from flag --metrics-port\)/);
  });
});

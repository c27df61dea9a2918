import { resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import { parseDuration, DURATION_EXPECTED } from '../../config/duration.js';
import { negativeValuesJoined } from '../../domain/negative-values.js';
import { parseFlags } from '../../investigate/cli/parse-flags.js';
import type { FlagSetting } from '../../config/flag-settings.js';
import { checkReplayMarkets } from '../../engine/paper-markets.js';
import { replaySymbols } from '../../engine/paper-setup.js';
import { parseSpeed, type ReplaySpeed } from '../../market-data/index.js';
import type { CliIo } from '../command.js';
import { CONFIG_FLAG_OPTIONS, CONFIG_FLAGS_HELP, loadCliConfig, type SessionFlags } from '../session-bootstrap.js';
import { configuredReplayProblem } from './configured-replay.js';

const HELP = `usage: tradetrace paper [options]

Paper trading: the whole bot (strategy, guards, order router, exits, persisted state) against a
simulated exchange, on candle files or a seeded synthetic market. Ends when the data ends, the
duration is reached, or on Ctrl-C; then prints a summary ending with a \`tradetrace trace\` command.

options:
${CONFIG_FLAGS_HELP}  --data FILE          candle file to replay (.csv with a header or .json [ts,o,h,l,c,v] rows); repeatable
  --symbol SYMBOL      symbol of each --data file, in order (default: from the file name)
  --synthetic SYMBOLS  trade a seeded synthetic market instead, e.g. BTC/USDT,ETH/USDT
  --speed N|max        replay speed: 1 real time, 60 = an hour a minute, max as fast as it goes
  --duration D         stop after this much wall-clock time, e.g. 90s, 5m, 2h (not market time:
                       at --speed 60, 5m covers about 5 hours of bars), counted from the feed's
                       start (FEED_START), after the ~1 s startup (default for the synthetic feed: 5m)
  --seed N             seed of the synthetic market and of the injected faults
  --metrics-port N     serve Prometheus metrics on 127.0.0.1:N
  -h, --help           this text
`;

const OPTIONS = {
  ...CONFIG_FLAG_OPTIONS,
  data: { type: 'string', multiple: true },
  symbol: { type: 'string', multiple: true },
  synthetic: { type: 'string' },
  speed: { type: 'string' },
  duration: { type: 'string' },
  seed: { type: 'string' },
  'metrics-port': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function usage(io: CliIo, message: string): number {
  io.stderr.write(`tradetrace paper: ${message}\n\n${HELP}`);
  return 2;
}

/** The first --data argument that is not a readable regular file, described; undefined when all are. */
async function missingFile(files: readonly string[]): Promise<string | undefined> {
  for (const file of files) {
    const info = await stat(file).catch((error: NodeJS.ErrnoException) => error.code ?? String(error));
    if (typeof info === 'string') return `${JSON.stringify(file)}: ${info === 'ENOENT' ? 'no such file' : info}; expected a candle file (.csv with a header or .json [ts,o,h,l,c,v] rows)`;
    if (!info.isFile()) return `${JSON.stringify(file)}: not a regular file; expected a candle file (.csv with a header or .json [ts,o,h,l,c,v] rows)`;
  }
  return undefined;
}

/** What --speed takes, for a --speed that parseArgs refuses before parseSpeed sees it. */
const SPEED_EXPECTED = '--speed N|max: expected a positive number (1 = real time, 60 = 60x) or max';

/** The usage message for a parseArgs error: --speed's says what it expects rather than how parseArgs reads dashes. */
function argsProblem(args: readonly string[], error: Error): string {
  if (!/^Option '--speed[ ']/.test(error.message)) return error.message;
  const next = args[args.indexOf('--speed') + 1];
  return `${SPEED_EXPECTED}, got ${next === undefined ? 'nothing' : `the option ${next}`}`;
}

/** What `tradetrace paper`'s flags ask for, checked before anything starts. */
export interface PaperFlags {
  /** The config flags and the config keys the paper flags set (so `config` can reproduce the hash). */
  readonly flags: SessionFlags;
  /** --duration, when given. */
  readonly durationMs: number | undefined;
}

/** Run with these flags, or exit now with this code (help printed, or a usage error said on stderr). */
export type PaperFlagsOutcome = { readonly kind: 'run'; readonly value: PaperFlags } | { readonly kind: 'exit'; readonly code: number };

/**
 * Parses and checks the flags: their formats, the --data files (readable, one per market, one quote
 * currency) or the replay the config sets, so that bad input is refused before a session is opened.
 */
export async function parsePaperFlags(args: readonly string[], io: CliIo): Promise<PaperFlagsOutcome> {
  let values;
  try {
    ({ values } = parseFlags({ args: negativeValuesJoined(args, OPTIONS), options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    return { kind: 'exit', code: usage(io, argsProblem(args, error as Error)) };
  }
  if (values.help) {
    io.stdout.write(HELP);
    return { kind: 'exit', code: 0 };
  }
  if (values.data && values.synthetic !== undefined) return { kind: 'exit', code: usage(io, '--data and --synthetic exclude each other: replay files or trade the synthetic market') };
  if (values.symbol && !values.data) return { kind: 'exit', code: usage(io, '--symbol names the symbol of a --data file; give --data too') };
  let speed: ReplaySpeed | undefined;
  if (values.speed !== undefined) {
    try {
      speed = parseSpeed(values.speed);
    } catch (error) {
      return { kind: 'exit', code: usage(io, `--speed: ${(error as Error).message}`) };
    }
  }
  let durationMs: number | undefined;
  if (values.duration !== undefined) {
    durationMs = parseDuration(values.duration);
    if (durationMs === undefined) return { kind: 'exit', code: usage(io, `--duration ${JSON.stringify(values.duration)}: expected ${DURATION_EXPECTED}`) };
    // `0s` has its unit: what is wrong is a session that would stop before it started.
    if (durationMs <= 0) return { kind: 'exit', code: usage(io, `--duration ${JSON.stringify(values.duration)}: expected a duration of more than 0, e.g. 90s, 5m or 2h`) };
  }
  const mapped: FlagSetting[] = [];
  const files = values.data?.map((f) => f) ?? [];
  if (files.length > 0) {
    const missing = await missingFile(files);
    if (missing !== undefined) {
      io.stderr.write(`tradetrace paper: --data ${missing}\nnothing started\n`);
      return { kind: 'exit', code: 2 };
    }
    let symbols: string[];
    try {
      symbols = await replaySymbols(files, values.symbol);
      // The files together, before anything starts: one file per market, one quote currency (with the flags that relabel them).
      checkReplayMarkets(files.map((file, i) => ({ file, symbol: symbols[i] ?? '' })));
    } catch (error) {
      io.stderr.write(`tradetrace paper: ${(error as Error).message}\nnothing started\n`);
      return { kind: 'exit', code: 2 };
    }
    // Recorded absolute: the same file named from another folder is not config drift, and the same
    // name in another folder (another file) is.
    const recorded = files.map((file) => resolve(file)).join(',');
    mapped.push({ path: 'market_data.source', value: 'candles_file', flag: '--data' }, { path: 'market_data.candles_file', value: recorded, flag: '--data' });
    mapped.push({ path: 'trading.symbols', value: symbols.join(','), flag: values.symbol ? '--symbol' : '--data' });
  }
  if (values.synthetic !== undefined) {
    mapped.push({ path: 'market_data.source', value: 'synthetic', flag: '--synthetic' }, { path: 'trading.symbols', value: values.synthetic, flag: '--synthetic' });
  }
  if (speed !== undefined) mapped.push({ path: 'market_data.speed', value: String(speed), flag: '--speed' });
  if (values.seed !== undefined) mapped.push({ path: 'paper_exchange.seed', value: values.seed, flag: '--seed' });
  if (values['metrics-port'] !== undefined) mapped.push({ path: 'alerts.metrics_port', value: values['metrics-port'], flag: '--metrics-port' });

  const flags: SessionFlags = { config: values.config, set: values.set, dataDir: values['data-dir'], mapped };
  if (files.length === 0 && values.synthetic === undefined) {
    // A replay the config sets is checked before anything starts, as --data is.
    const preview = loadCliConfig('paper', flags, io, '; nothing started');
    if (!preview) return { kind: 'exit', code: 2 };
    const problem = await configuredReplayProblem(preview, missingFile);
    if (problem !== undefined) {
      io.stderr.write(`tradetrace paper: ${problem}\nnothing started\n`);
      return { kind: 'exit', code: 2 };
    }
  }
  return { kind: 'run', value: { flags, durationMs } };
}

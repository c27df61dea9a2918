import { CHANNELS, type Channel } from '../recorder/channels.js';
import { listLogFiles } from '../recorder/log-files.js';
import { parseLine } from '../recorder/line-parser.js';
import { readLines } from '../recorder/line-reader.js';
import { toLogReadError } from '../investigate/log-read-error.js';
import type { Observation } from './alert-transition.js';

/** Channels the rules read; `alerts` is their output, never their input. */
export const OBSERVED_CHANNELS: readonly Channel[] = CHANNELS.filter((c) => c !== 'alerts');

export interface LineProblemReport {
  readonly file: string;
  readonly lineNumber: number;
  readonly message: string;
}

async function* channelObservations(logsDir: string, channel: Channel, onProblem: (p: LineProblemReport) => void): AsyncGenerator<Observation> {
  for (const file of listLogFiles(logsDir, [channel])) {
    try {
      for await (const raw of readLines(file)) {
        const parsed = parseLine(raw.text);
        if (!parsed.ok) {
          onProblem({ file: raw.file, lineNumber: raw.lineNumber, message: `${parsed.error.code}: ${parsed.error.message}` });
          continue;
        }
        yield { line: parsed.value, file: raw.file, lineNumber: raw.lineNumber };
      }
    } catch (error) {
      // A gzip error (a truncated or corrupt .gz) names no file: it becomes the LogReadError the other
      // read commands print (`cannot read <file>: gzip data ends early (Z_BUF_ERROR)`, exit 3).
      throw toLogReadError(error, file.path) ?? error;
    }
  }
}

function before(a: Observation, b: Observation): boolean {
  if (a.line.ts !== b.line.ts) return a.line.ts < b.line.ts;
  return a.line.session_id === b.line.session_id ? a.line.seq < b.line.seq : a.line.session_id < b.line.session_id;
}

/**
 * Every line of every channel (rotated and gzipped files included), merged into time order: each
 * channel's files are already in order, so a k-way merge streams without loading the logs.
 * Lines that do not parse are reported through `onProblem` and skipped, never guessed at.
 */
export async function* replayLogs(
  logsDir: string,
  options: { readonly sinceMs?: number; readonly onProblem?: (p: LineProblemReport) => void; readonly channels?: readonly Channel[] } = {},
): AsyncGenerator<Observation> {
  const onProblem = options.onProblem ?? (() => undefined);
  const channels = (options.channels ?? OBSERVED_CHANNELS).filter((channel) => channel !== 'alerts');
  const streams = channels.map((channel) => channelObservations(logsDir, channel, onProblem));
  const pull = async (stream: AsyncGenerator<Observation>): Promise<Observation | undefined> => {
    const next = await stream.next();
    return next.done ? undefined : next.value;
  };
  try {
    yield* merge(streams, pull, options.sinceMs);
  } finally {
    // One channel failing (or the caller stopping early) closes the others' files.
    await Promise.allSettled(streams.map((stream) => stream.return(undefined)));
  }
}

async function* merge(
  streams: readonly AsyncGenerator<Observation>[],
  pull: (stream: AsyncGenerator<Observation>) => Promise<Observation | undefined>,
  sinceMs: number | undefined,
): AsyncGenerator<Observation> {
  const heads = await Promise.all(streams.map(pull));
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const head = heads[i];
      const current = best >= 0 ? heads[best] : undefined;
      if (head && (!current || before(head, current))) best = i;
    }
    if (best < 0) return;
    const chosen = heads[best];
    const stream = streams[best];
    if (!chosen || !stream) return;
    heads[best] = await pull(stream);
    if (sinceMs !== undefined && Date.parse(chosen.line.ts) < sinceMs) continue;
    yield chosen;
  }
}

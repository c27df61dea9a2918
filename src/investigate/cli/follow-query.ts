import type { Channel } from '../../recorder/channels.js';
import { listLogFiles, type LogFile } from '../../recorder/log-files.js';
import { followLines } from '../query/follow.js';
import { readLogLine } from '../query/line-parse.js';
import type { LogSet } from '../query/log-set.js';
import { SkippedLines } from '../query/skipped-lines.js';
import { describeEventLine } from '../render/event-line.js';
import type { Style } from '../render/style.js';
import type { QueryIo } from './query-io.js';
import { ThrottledReport } from './throttled-report.js';

export interface FollowRequest {
  readonly set: LogSet;
  /** The channels to follow; undefined: all of them. */
  readonly channels: readonly Channel[] | undefined;
  readonly needles: readonly string[];
  /** Raw lines (for jq) instead of one readable line each. */
  readonly json: boolean;
  readonly style: Style;
  /** Aborted when the reader closes stdout: following further is pointless. */
  readonly closed: AbortSignal;
}

/**
 * `--follow` of trace, orders and dash: prints each new matching line until Ctrl-C, SIGTERM or a
 * closed stdout. Unreadable lines among the new ones are summarized like a query's, in batches.
 */
export async function followQuery(request: FollowRequest, io: QueryIo): Promise<void> {
  const { set } = request;
  let skipped = new SkippedLines();
  const report = new ThrottledReport((text) => io.stderr.write(text), () => {
    const batch = skipped;
    skipped = new SkippedLines();
    return batch.report();
  });
  const files = new Map<string, LogFile>();
  const fileOf = (path: string): LogFile => {
    let file = files.get(path);
    if (!file) {
      // Listed again for a file that appeared after the query began (a rotation).
      file = listLogFiles(set.logsDir, request.channels).find((l) => l.path === path) ?? { channel: request.channels?.[0] ?? 'decisions', path, gzipped: false, current: true };
      files.set(path, file);
    }
    return file;
  };
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  request.closed.addEventListener('abort', stop, { once: true });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await followLines(set.logsDir, request.channels, request.needles, set.sizes, {
      line(path, text, offset) {
        if (request.json) {
          io.stdout.write(`${text}\n`);
          return;
        }
        const parsed = readLogLine(text);
        if (parsed.ok) {
          io.stdout.write(`${describeEventLine({ event: parsed.value, file: fileOf(path), offset, text }, request.style)}\n`);
          return;
        }
        skipped.add({ file: fileOf(path), offset, code: parsed.error.code, message: parsed.error.message, excerpt: text.slice(0, 120) });
        report.note();
      },
      misshapen(path, offset) {
        skipped.addMisshapen(fileOf(path), offset);
        report.note();
      },
    }, controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await report.flush();
  }
}

import { join } from 'node:path';
import { COMMON_HELP } from '../../investigate/cli/common-options.js';
import { countSessions, megabytes, reportSkipped, sessionFilter, unknownSession } from '../../investigate/cli/finish.js';
import { EXIT } from '../../investigate/exit-codes.js';
import { inWindow } from '../../investigate/query/find-events.js';
import { countLines } from '../../investigate/query/skipped-lines.js';
import { pastedId } from '../../domain/ids.js';
import { dataDirArg, shellWord } from '../../domain/shell-word.js';
import { renderAmbiguous } from '../../investigate/render/ambiguous-ids.js';
import { followUpDataDir } from '../../investigate/render/follow-up.js';
import { otherSessionLines } from '../../investigate/render/session-match.js';
import { windowCutNote } from '../../investigate/render/window-cut.js';
import { linesOutside } from '../../investigate/query/lines-outside.js';
import { utc } from '../../investigate/render/time-format.js';
import { traceDecision, updateIndex } from '../../investigate/query/trace-query.js';
import { openQueryLogs, startQuery } from '../../investigate/cli/query-start.js';
import type { CliIo } from '../command.js';

const HELP = `usage: tradetrace trace <decision_id | unambiguous prefix> [--follow] [--no-index]

A decision's whole chain across every log file, in order: the signal, the guard or failure that ended
it, each order attempt with its constraints, the fill, and the later exit of the position.
  --follow     keep printing new lines of this decision as the bot writes them (Ctrl-C to stop)
  --no-index   scan the raw logs instead of using (and updating) <data-dir>/index/
With --since/--until: a decision with any line in the window is shown whole (a verdict from part of
its lines would be wrong), and stderr says how many of its lines lie outside the window.
${COMMON_HELP}
`;

/** What an id of another kind is, and the command that takes it; null for what may be a decision id. */
function otherIdKind(id: string, dataDir: string | undefined): string | null {
  if (id.startsWith('int_')) return `is an order intent id, not a decision id: see it with tradetrace orders --intent ${shellWord(id)}${dataDirArg(dataDir)} (its lines carry the decision_id to trace)`;
  if (id.startsWith('session_')) return `is a session id, not a decision id: see tradetrace sessions${dataDirArg(dataDir)}, or give it to a query as --session ${shellWord(id)}`;
  return null;
}

/** Above this much text in the stream's buffer, writing waits for it to drain. */
const WRITE_CHUNK = 256 * 1024;

/**
 * The lines, in chunks that wait for the reader: a decision with 200k lines is not copied into one
 * string, nor queued whole in the stream's buffer behind a slow pipe. Stops when stdout closes.
 */
async function writeLines(stdout: NodeJS.WritableStream, events: readonly { readonly text: string }[], closed: AbortSignal): Promise<void> {
  let chunk: string[] = [];
  let size = 0;
  const flush = async (): Promise<void> => {
    const ok = stdout.write(chunk.join(''));
    chunk = [];
    size = 0;
    if (ok || closed.aborted) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        stdout.removeListener('drain', done);
        closed.removeEventListener('abort', done);
        resolve();
      };
      stdout.once('drain', done);
      closed.addEventListener('abort', done, { once: true });
    });
  };
  for (const e of events) {
    if (closed.aborted) return;
    chunk.push(`${e.text}\n`);
    size += e.text.length + 1;
    if (size >= WRITE_CHUNK) await flush();
  }
  if (chunk.length > 0) await flush();
}

export async function run(args: readonly string[], rawIo: CliIo): Promise<number> {
  const start = startQuery('trace', args, rawIo, HELP, { follow: { type: 'boolean' }, 'no-index': { type: 'boolean' } }, 1);
  if (!start.ok) return start.exitCode;
  const { io, guarded, flags: f } = start;
  const given = f.positionals[0];
  const prefix = given === undefined ? undefined : pastedId(given);
  if (!prefix) {
    io.stderr.write(`tradetrace trace: expected a decision id (dec_YYYYMMDD_HHMMSS_xxxxxx) or a prefix of one\n\n${HELP}`);
    return EXIT.usage;
  }
  const wrongKind = otherIdKind(prefix, followUpDataDir(f));
  if (wrongKind) {
    io.stderr.write(`tradetrace trace: "${prefix}" ${wrongKind}\n`);
    return EXIT.usage;
  }
  const logs = openQueryLogs('trace', f.dataDir, io, { wholeLines: f.values['follow'] === true });
  if (!logs.ok) return logs.exitCode;
  const { set, skipped } = logs;
  const outcome = await traceDecision(set, prefix, { skipped, useIndex: f.values['no-index'] !== true });
  let code: number = EXIT.found;
  if (outcome.kind === 'ambiguous') {
    io.stderr.write(renderAmbiguous('trace', prefix, outcome.ids));
    code = EXIT.usage;
  } else if (outcome.kind === 'not_found') {
    const s = outcome.stats;
    const sessions = await countSessions(set, skipped);
    // A scan does not count lines; the index (built now, as the next query will want it) does.
    const index = f.values['no-index'] === true ? null : await updateIndex(set);
    s.lines ??= index ? index.lineCount : await countLines(set);
    io.stderr.write(
      `tradetrace trace: no decision matching "${prefix}": searched ${s.files} log file${s.files === 1 ? '' : 's'} (${megabytes(s.bytes)}${s.lines === null ? '' : `, ${s.lines} lines`}) across ${sessions} session${sessions === 1 ? '' : 's'} in ${set.logsDir}\n`,
    );
    const unknown = await unknownSession(set, skipped, f.session, [], followUpDataDir(f));
    if (unknown) io.stderr.write(`tradetrace trace: ${unknown}\n`);
    code = EXIT.notFound;
  } else {
    // A window that cuts through the decision would draw its verdict from part of its lines (an exit's
    // time as the start, a sold position still open): when any of its lines is in the window, all are shown.
    const touched = outcome.events.some((e) => inWindow(e.event, f.window));
    const windowed = touched ? outcome.events : [];
    const events = windowed.filter(sessionFilter(f.session));
    // A --session that names no session at all is a typo to point out, not an empty chain.
    const unknown = events.length === 0 ? await unknownSession(set, skipped, f.session, outcome.events.map((e) => e.event.session_id), followUpDataDir(f)) : null;
    if (unknown) {
      io.stderr.write(`tradetrace trace: ${unknown}\n`);
      await reportSkipped(skipped, io);
      return EXIT.notFound;
    }
    // Lines of the decision in other sessions (a restart's reconciliation, a later exit): say what --session hid.
    const hidden = f.session ? otherSessionLines(outcome.decisionId, f.session, windowed) : null;
    if (hidden) io.stderr.write(`tradetrace trace: ${hidden}\n`);
    const outside = touched ? linesOutside(events, f.window) : null;
    if (outside && events.length > 0) io.stderr.write(`tradetrace trace: ${windowCutNote('decision', outcome.decisionId, outside, f.window)}\n`);
    if (events.length === 0) {
      if (!hidden) io.stderr.write(`tradetrace trace: decision ${outcome.decisionId} has no lines${f.window.since ? ` since ${utc(f.window.since)}` : ''}${f.window.until ? ` until ${utc(f.window.until)}` : ''}\n`);
      code = EXIT.notFound;
    } else if (f.json) await writeLines(io.stdout, events, guarded.closedSignal);
    else {
      const { renderTrace } = await import('../../investigate/render/trace-view.js');
      io.stdout.write(renderTrace(outcome.decisionId, events, f.style, f.nowMs, followUpDataDir(f)));
    }
    if (f.values['follow'] === true) {
      await reportSkipped(skipped, io);
      const intents = [...new Set(events.map((e) => e.event.intent_id).filter((x): x is string => typeof x === 'string'))];
      const needles = [`"decision_id":"${outcome.decisionId}"`, ...intents.map((i) => `"intent_id":"${i}"`)];
      const { followQuery } = await import('../../investigate/cli/follow-query.js');
      await followQuery({ set, channels: undefined, needles, json: f.json, style: f.style, closed: guarded.closedSignal }, io);
      return EXIT.found;
    }
  }
  await reportSkipped(skipped, io);
  if (outcome.kind === 'found' && outcome.indexLater) {
    io.stderr.write(`tradetrace trace: indexing ${set.logsDir} so the next query is instant (skip with --no-index)...\n`);
    // A data directory the reader may not write (the bot's, read by an operator) keeps no index:
    // said once per query, or "indexing" would promise on every run what never happens.
    if ((await updateIndex(set)) === null) io.stderr.write(`tradetrace trace: no index could be written in ${join(set.dataDir, 'index')}: each trace scans the logs (correct, slower); --no-index skips the attempt\n`);
  }
  return code;
}

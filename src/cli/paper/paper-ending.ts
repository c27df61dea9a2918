import { errorMessage } from '../../engine/engine-halt.js';
import type { PaperRunResult, PaperSession } from '../../engine/paper-session.js';
import { formatPaperSummary, logFilesShown, paperSummary, type PaperSummary } from '../../engine/session-summary.js';
import { listLogFiles } from '../../recorder/log-files.js';
import type { TerminalDashboard } from '../../ui/terminal-dashboard.js';
import type { CliIo } from '../command.js';
import type { StartedSession } from '../session-bootstrap.js';
import { leaveNow } from './leave-now.js';
import { runnableTraceCommands } from '../runnable-commands.js';

/**
 * Ends a session that ran: SESSION_END with its summary, the summary on stdout (ending with a
 * runnable `tradetrace trace`), the error on stderr. Returns the exit code the record gives; a
 * shutdown cut short (a second signal, runtime.shutdown_timeout) exits the process here instead.
 */
export function endPaperSession(io: CliIo, started: StartedSession, session: PaperSession, result: PaperRunResult, dashboard: TerminalDashboard): number {
  const { paths, sessionId } = started;
  // The session ended as `result` says whatever befalls its report: a summary that cannot be made
  // neither loses SESSION_END nor changes the exit code the record gives.
  let summaryFailure: unknown;
  let summary: PaperSummary | undefined;
  try {
    summary = paperSummary(session, result, logFilesShown(listLogFiles(paths.logsDir), paths.logsDir));
  } catch (error) {
    summaryFailure = error;
  }
  const code = started.endSession(result.reason, result.exitCode, summary?.record, result.error);
  try {
    if (summary) io.stdout.write(runnableTraceCommands(formatPaperSummary(sessionId, summary, paths.dataDir), io.env));
  } catch (error) {
    summaryFailure = error;
  }
  if (summaryFailure !== undefined) {
    io.stderr.write(`tradetrace paper: session ${sessionId} ended (${result.reason}, exit ${code}), but its summary could not be made: ${errorMessage(summaryFailure)}; \`tradetrace sessions\` and \`tradetrace health\` read it from the record\n`);
  }
  if (result.error) io.stderr.write(`tradetrace paper: ${result.error.message}\n`);
  // A shutdown cut short exits now, whatever still stops; the alert lines held behind the live
  // frame are written first (the dashboard may not have stopped).
  if (session.coordinator.forcedExit) {
    dashboard.releaseHeldLines();
    leaveNow(io, code);
  }
  return code;
}

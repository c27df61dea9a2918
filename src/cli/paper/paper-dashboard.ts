import type { Config } from '../../config/schema.js';
import type { StartWarning } from '../../engine/startup-warnings.js';
import type { PaperSession } from '../../engine/paper-session.js';
import type { Recorder } from '../../recorder/recorder.js';
import type { DashboardModel } from '../../ui/dashboard-model.js';
import { TerminalDashboard } from '../../ui/terminal-dashboard.js';
import type { CliIo } from '../command.js';
import { PinnedRowsStream, printStartWarnings, startWarningLine } from './start-warning-lines.js';

export interface PaperDashboardInit {
  readonly io: CliIo;
  readonly config: Config;
  readonly recorder: Recorder;
  readonly session: PaperSession;
  readonly model: DashboardModel;
  /** Said before trading begins: on the terminal above the live frame, or on stderr. */
  readonly startWarnings: readonly StartWarning[];
  readonly stdoutBroken: () => boolean;
}

/**
 * The terminal dashboard of a paper session, registered with its coordinator: a live frame on a
 * terminal when the config enables it, else plain progress lines, so the bot is never silent for
 * long. The start warnings are printed first, where the frame will not erase them.
 */
export function paperDashboard(init: PaperDashboardInit): TerminalDashboard {
  const { io, config, recorder, session, startWarnings } = init;
  const { coordinator } = session;
  const dashLoop = coordinator.registerLoop({ name: TerminalDashboard.LOOP_NAME, daemon: true, periodMs: 1000 });
  const plain = { write: (chunk: string) => (init.stdoutBroken() ? true : io.stdout.write(chunk)), isTTY: false };
  const frame = config.dashboard.enable_live_dashboard && io.stdout.isTTY === true ? new PinnedRowsStream(io.stdout) : undefined;
  const dashboard = new TerminalDashboard({
    source: init.model, stream: frame ?? plain, maxFps: Math.min(60, 1000 / config.dashboard.refresh_ms), beat: () => dashLoop.beat(),
    onError: (error) => recorder.emit('ERROR', { error_code: 'dashboard_failed', message: String(error), component: TerminalDashboard.LOOP_NAME }),
  });
  // Before trading begins; under the live dashboard, pinned above its frame (its start clears the screen).
  const shown = printStartWarnings(io, startWarnings, dashboard.mode === 'tty' ? frame : undefined);
  // Stopped after the feed and the engine (components stop in descending order): its last frame then
  // shows the bar in flight at the stop and its fills, as the summary below it does.
  coordinator.registerComponent({
    name: 'dashboard', order: 12, start: () => dashboard.start(),
    stop: async () => {
      await session.bus.idle();
      await dashboard.stop();
      // Too many to pin above the frame, they were erased by it: said again under its last one.
      if (shown === 'again_after_dashboard') io.stderr.write(startWarnings.map((w) => `${startWarningLine(w)}\n`).join(''));
    },
  });
  return dashboard;
}

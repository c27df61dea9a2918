// The watchdog thread: writes SHUTDOWN_HEARTBEAT on its own timer from the shared beat board, so
// heartbeats keep coming (and name the stalled loops) while the main event loop is blocked.
import { writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { FileSink } from '../recorder/file-sink.js';
import { Recorder } from '../recorder/recorder.js';
import { SeqCounter } from '../recorder/seq-counter.js';
import { uncompressedWarning } from '../recorder/uncompressed-warning.js';
import { BeatBoard } from './beat-board.js';
import { buildHeartbeat, type HeartbeatRegistry, type LoopInfo } from './heartbeat-snapshot.js';
import { PauseTracker } from './pause-tracker.js';
import { steadyInterval } from './steady-interval.js';
import type { FromWatchdog, ToWatchdog, WatchdogWorkerData } from './watchdog-protocol.js';

const port = parentPort;
if (!port) throw new Error('heartbeat-worker must run as a worker thread');
const data = workerData as WatchdogWorkerData;
const board = new BeatBoard(data.boardBuffer);
const rotation = data.logRotation;
// The main thread's rotation size and compression: with a size of its own, this thread rotated
// system.jsonl at another size than the main thread, and what it rotated stayed plain until the
// next start. The leftovers of earlier runs are the main thread's to compress (compressLeftovers).
const recorder = new Recorder({
  sessionId: data.sessionId,
  sink: new FileSink(data.logsDir, {
    mode: 'durable',
    ...(rotation ? { rotateBytes: rotation.rotateBytes } : {}),
    ...(rotation?.compressAfterMs === undefined ? {} : { compressRotated: { graceMs: rotation.compressAfterMs, onFailure: warnUncompressed }, compressLeftovers: false }),
  }),
  seq: new SeqCounter(data.seqBuffer),
});

/**
 * In the log as the main thread writes it (a LOG warn line of this session); if this thread's
 * recorder cannot write it, on stderr: a file left plain is no reason to stop, but the record (or
 * the operator) must hear of it.
 */
function warnUncompressed(path: string, error: unknown): void {
  const warning = uncompressedWarning(path, error);
  try {
    recorder.emit('LOG', warning, { level: 'warn' });
  } catch (emitError) {
    writeSync(2, `tradetrace: ${warning.message} (and it could not be logged: ${emitError instanceof Error ? emitError.message : String(emitError)})\n`);
  }
}
const components: string[] = [];
const loops: LoopInfo[] = [];
const registry: HeartbeatRegistry = { components, loops };
const settings = { recentBeats: data.recentBeats, eventLoopProbeMs: data.eventLoopProbeMs };

const send = (message: FromWatchdog): void => port.postMessage(message);

// This thread's own probe, at the main thread's probe period: a gap in it is a time the whole
// process did not run (see PauseTracker), which is no blocked event loop and no stalled loop.
const pauses = new PauseTracker(data.eventLoopProbeMs);
const selfProbe = setInterval(() => {
  pauses.check();
  pauses.ran();
}, data.eventLoopProbeMs);

function writeHeartbeat(): void {
  // Checked before the heartbeat is built: after a SIGCONT this timer can run before the probe's.
  pauses.check();
  // The record is final (SHUTDOWN_COMPLETE is being or was written): a heartbeat after it would read as a session still running.
  if (board.shutdownComplete()) return;
  try {
    recorder.emit('SHUTDOWN_HEARTBEAT', { ...buildHeartbeat(board, registry, settings, Date.now(), pauses.read()), trigger: 'interval' });
    pauses.markHeartbeat();
    board.countHeartbeatLogged();
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'unknown';
    send({ kind: 'write_failed', code, message: error instanceof Error ? error.message : String(error) });
  } finally {
    pauses.ran();
  }
}

const timer = steadyInterval(writeHeartbeat, data.intervalMs);

port.on('message', (message: ToWatchdog) => {
  if (message.kind === 'loop') loops.push(message.loop);
  else if (message.kind === 'component') components.push(message.name);
  else {
    timer.stop();
    clearInterval(selfProbe);
    recorder.close();
    send({ kind: 'stopped' });
    port.close();
  }
});
send({ kind: 'ready' });

/** The clocks a PauseTracker reads; injectable so a test can stop "the process" on purpose. */
export interface PauseClock {
  /** Milliseconds on a monotonic clock of this thread. */
  monotonicMs(): number;
  /** CPU time (user + system) the whole process has used, in ms: every thread's, not this one's. */
  processCpuMs(): number;
}

const SYSTEM_PAUSE_CLOCK: PauseClock = {
  monotonicMs: () => performance.now(),
  processCpuMs: () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  },
};

/** A span the process did not run, in ms before the reading's `now` (`fromAgoMs` > `toAgoMs` >= 0). */
interface Pause {
  readonly from: number;
  readonly to: number;
}

/** What a heartbeat needs to know of the pauses, read at one `now`. */
export interface PauseReading {
  /** Of the last `ageMs` before now, how many ms the process was not running. */
  pausedWithinMs(ageMs: number): number;
  /** Not running since the previous `markHeartbeat` (or the tracker's start). */
  readonly sinceHeartbeatMs: number;
  /** Pauses seen since the tracker started. */
  readonly count: number;
}

/** Pauses remembered for discounting: a loop's silence reaches back at most a few intervals. */
const PAUSES_KEPT = 16;

/**
 * Tells "the whole process was not running" (SIGSTOP, Ctrl-Z, a debugger, a frozen cgroup, a starved
 * machine) from "the main event loop was blocked", on the watchdog thread. That thread only waits
 * for its timers: while the main thread hangs it still runs on time, so when its own timer comes
 * late by more than one probe period, it was not scheduled either. The process's CPU time must not
 * have advanced over the gap as well: a main thread spinning through it (a real hang, on a machine
 * too busy to run the watchdog) spends CPU, a stopped process spends none.
 *
 * The gap is measured from the end of the thread's previous callback (`ran`), so the time it spent
 * writing and syncing a heartbeat is not taken for a pause. A pause is taken to start one probe
 * period after that end (the latest the thread would have run again), so it is never longer than
 * the process really stood still and the blocking it excuses is never more than the pause.
 */
export class PauseTracker {
  private lastRanAt: number;
  private lastCpuMs: number;
  private heartbeatAt: number;
  private readonly pauses: Pause[] = [];
  private total = 0;

  constructor(
    private readonly probeMs: number,
    private readonly clock: PauseClock = SYSTEM_PAUSE_CLOCK,
  ) {
    this.lastRanAt = clock.monotonicMs();
    this.lastCpuMs = clock.processCpuMs();
    this.heartbeatAt = this.lastRanAt;
  }

  /** First thing in each of the thread's callbacks: records the gap before it if it was a pause. */
  check(): void {
    const now = this.clock.monotonicMs();
    const cpu = this.clock.processCpuMs();
    const gap = now - this.lastRanAt;
    if (gap > 2 * this.probeMs && cpu - this.lastCpuMs < gap / 2) {
      this.pauses.push({ from: this.lastRanAt + this.probeMs, to: now });
      if (this.pauses.length > PAUSES_KEPT) this.pauses.shift();
      this.total++;
    }
    this.lastRanAt = now;
    this.lastCpuMs = cpu;
  }

  /** Last thing in each of the thread's callbacks. */
  ran(): void {
    this.lastRanAt = this.clock.monotonicMs();
    this.lastCpuMs = this.clock.processCpuMs();
  }

  read(): PauseReading {
    const now = this.clock.monotonicMs();
    const pauses = this.pauses.map((p) => ({ from: now - p.from, to: now - p.to }));
    const within = (ageMs: number): number => pauses.reduce((sum, p) => sum + Math.max(0, Math.min(p.from, ageMs) - p.to), 0);
    return { pausedWithinMs: within, sinceHeartbeatMs: within(now - this.heartbeatAt), count: this.total };
  }

  /** After a heartbeat was built: `sinceHeartbeatMs` counts from here. */
  markHeartbeat(): void {
    this.heartbeatAt = this.clock.monotonicMs();
  }
}

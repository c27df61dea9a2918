import type { BeatBoard } from './beat-board.js';

/** What a long-running loop registers with the coordinator: a period it promises to beat at. */
export interface LoopSpec {
  /** e.g. MarketDataLoop, DecisionLoop, DustSweeper, LiveDashboard */
  readonly name: string;
  /** True when shutdown need not wait for it. */
  readonly daemon: boolean;
  readonly periodMs: number;
  /** Alive while its last beat is younger than this; default 3x the period. */
  readonly stallAfterMs?: number;
}

/** A registered loop's handle. `beat()` is the hot path: a few atomic stores, no allocation. */
export class LoopHandle {
  constructor(
    readonly name: string,
    private readonly board: BeatBoard,
    private readonly index: number,
  ) {}

  beat(): void {
    this.board.beat(this.index);
  }

  /** The loop finished on purpose: heartbeats stop listing it (rather than showing it stalled). */
  end(): void {
    this.board.endLoop(this.index);
  }
}

/**
 * The per-session line counter. It lives in shared memory so the watchdog thread's lines and the
 * main thread's lines draw from one sequence and can be merged in order across files.
 */
export class SeqCounter {
  private readonly cells: BigInt64Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(8)) {
    this.cells = new BigInt64Array(buffer);
  }

  /** The next sequence number, from 1. */
  next(): number {
    return Number(Atomics.add(this.cells, 0, 1n)) + 1;
  }

  current(): number {
    return Number(Atomics.load(this.cells, 0));
  }
}

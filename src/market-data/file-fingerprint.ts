import { createHash, type Hash } from 'node:crypto';

/** The sha256 of a file's first `bytes` bytes. */
export interface PrefixHash {
  readonly bytes: number;
  /** Lowercase hex. */
  readonly sha256: string;
}

/** A candle file's identity as a reader saw it: two sessions' FEED_START lines compare it. */
export interface FileFingerprint {
  readonly bytes: number;
  /** sha256 of the file's bytes, lowercase hex. */
  readonly sha256: string;
  /**
   * The hashes of growing prefixes of the file, at most MAX_CHECKPOINTS of them, evenly spaced
   * (multiples of one power-of-two step), ascending: a later session on the same data directory
   * compares the one just past the row it resumes after, so a change to any row before it is
   * found, while rows appended at the end (a longer export of the same market) are not a change.
   */
  readonly checkpoints?: readonly PrefixHash[];
}

/** Prefix hashes kept per file: about 80 bytes each in FEED_START. */
export const MAX_CHECKPOINTS = 64;
const FIRST_STEP = 64 * 1024;

/**
 * Fed a file's bytes as a reader reads them, so the preflight that checks every row also says
 * which file it checked without a second read: a file replaced at the same path (a re-export, a
 * corrected file, another market) has the same name but not the same size and hash.
 *
 * On the way it hashes prefixes: its own checkpoints, and those `asked` (an earlier session's
 * checkpoints, to compare), by copying the running hash where a chunk crosses their offset: no
 * byte is hashed twice.
 */
export class FingerprintHash {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;
  private step = FIRST_STEP;
  private readonly checkpoints: PrefixHash[] = [];
  /** Offsets to hash up to, ascending, not reached yet. */
  private readonly pending: number[];
  private readonly prefixes = new Map<number, string>();

  constructor(asked: readonly number[] = []) {
    this.pending = [...new Set(asked)].filter((at) => at > 0).sort((a, b) => a - b);
  }

  /** The next offset a prefix hash is wanted at. */
  private nextStop(): number {
    const own = (Math.floor(this.bytes / this.step) + 1) * this.step;
    return Math.min(own, this.pending[0] ?? Number.POSITIVE_INFINITY);
  }

  update(chunk: Buffer): void {
    let from = 0;
    while (from < chunk.length) {
      const stop = this.nextStop();
      const take = Math.min(chunk.length - from, stop - this.bytes);
      this.hash.update(take === chunk.length ? chunk : chunk.subarray(from, from + take));
      this.bytes += take;
      from += take;
      if (this.bytes === stop) this.snapshot();
    }
  }

  private snapshot(): void {
    const at = this.bytes;
    const digest = this.hash.copy().digest('hex');
    if (this.pending[0] === at) {
      this.pending.shift();
      this.prefixes.set(at, digest);
    }
    if (at % this.step !== 0) return;
    this.checkpoints.push({ bytes: at, sha256: digest });
    if (this.checkpoints.length >= MAX_CHECKPOINTS) {
      // Twice the step: keep every other one (those on the new step's multiples).
      this.step *= 2;
      const kept = this.checkpoints.filter((c) => c.bytes % this.step === 0);
      this.checkpoints.length = 0;
      this.checkpoints.push(...kept);
    }
  }

  /** The hash of the first `bytes` bytes, if they were asked for in the constructor and the file had them. */
  prefixAt(bytes: number): string | undefined {
    return this.prefixes.get(bytes);
  }

  /** The fingerprint of every byte fed; call once, after the last. */
  digest(): FileFingerprint {
    const sha256 = this.hash.digest('hex');
    // The whole file closes the list: a resume point in its last step is checked against it.
    const checkpoints = this.checkpoints.at(-1)?.bytes === this.bytes ? this.checkpoints : [...this.checkpoints, { bytes: this.bytes, sha256 }];
    return { bytes: this.bytes, sha256, checkpoints };
  }
}

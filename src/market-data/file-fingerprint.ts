import { createHash, type Hash } from 'node:crypto';

/** A candle file's identity as a reader saw it: two sessions' FEED_START lines compare it. */
export interface FileFingerprint {
  readonly bytes: number;
  /** sha256 of the file's bytes, lowercase hex. */
  readonly sha256: string;
}

/**
 * Fed a file's bytes as a reader reads them, so the preflight that checks every row also says
 * which file it checked without a second read: a file replaced at the same path (a re-export, a
 * corrected file, another market) has the same name but not the same size and hash.
 */
export class FingerprintHash {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;

  update(chunk: Buffer): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
  }

  /** The fingerprint of every byte fed; call once, after the last. */
  digest(): FileFingerprint {
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }
}

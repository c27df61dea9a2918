import { scanFileRange } from './needle-scan.js';
import type { FoundLine, ScanInput, ScanOutcome } from './parallel-scan.js';

/** Bytes scanned between two checks of the stop condition: small enough to stop soon after it. */
const STEP_BYTES = 8 * 1024 * 1024;

export interface UntilOutcome extends ScanOutcome {
  /** The line that met the stop condition, when one did (the scan ended there). */
  readonly stoppedAt: FoundLine | null;
}

/**
 * Scans plain files forward in the given order for lines containing `needle`, a step at a time, and
 * stops after the step holding the first line for which `stop` is true. For a position's exit: it is
 * written once, usually soon after its decision, so the scan reads megabytes where a full pass
 * would read the rest of the log. Without a stopping line it reads every input to its end.
 */
export function scanUntil(inputs: readonly ScanInput[], needle: string, stop: (text: string) => boolean): UntilOutcome {
  const needles = [Buffer.from(needle, 'utf8')];
  const lines: FoundLine[] = [];
  const torn: FoundLine[] = [];
  let bytes = 0;
  let stoppedAt: FoundLine | null = null;
  for (const input of inputs) {
    if (input.file.gzipped) throw new Error(`scanUntil reads plain files only, not ${input.file.path}`);
    const fileSize = input.fileSize ?? input.size;
    for (let start = input.from; start < input.size && stoppedAt === null; start += STEP_BYTES) {
      const end = Math.min(input.size, start + STEP_BYTES);
      scanFileRange(input.file.path, start, end, fileSize, needles, {
        hit(offset, text) {
          const line = { file: input.file, offset, text };
          lines.push(line);
          if (stoppedAt === null && stop(text)) stoppedAt = line;
        },
        torn(offset, text) {
          torn.push({ file: input.file, offset, text });
        },
      });
      bytes += end - start;
    }
    if (stoppedAt !== null) break;
  }
  return { lines, torn, bytes, stoppedAt };
}

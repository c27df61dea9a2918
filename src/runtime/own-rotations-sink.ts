import { FileSink, type FileSinkOptions } from '../recorder/file-sink.js';
import { RotatedCompression, type RotatedCompressionOptions } from '../recorder/rotated-compression.js';

export interface OwnRotationsSinkOptions extends Omit<FileSinkOptions, 'compressRotated'> {
  /** Gzip each file this sink rotates, in the background; undefined: they stay plain. */
  readonly compressOwnRotations?: RotatedCompressionOptions | undefined;
}

/**
 * A FileSink for a second writer of the logs (the watchdog thread): it gzips the files it rotates
 * itself and nothing else. FileSink's `compressRotated` also takes, at open, every rotated file an
 * earlier run left plain, which the main thread's sink takes already: two compressions of one file
 * at once fail each other (the second's exclusive create of the `.gz.tmp` fails, and its cleanup
 * removes the first's), and the one opened later removes the other's `.tmp` in flight as stray.
 */
export class OwnRotationsSink extends FileSink {
  // Set after FileSink's constructor, which made (and recovered with) none: its rotations schedule here.
  override readonly compression: RotatedCompression | undefined;

  constructor(logsDir: string, options: OwnRotationsSinkOptions = {}) {
    const { compressOwnRotations, ...sinkOptions } = options;
    super(logsDir, sinkOptions);
    this.compression = compressOwnRotations ? new RotatedCompression(logsDir, compressOwnRotations) : undefined;
  }
}

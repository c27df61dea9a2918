import { logBytes } from '../../recorder/log-bytes.js';
import { toLogReadError } from '../log-read-error.js';

/**
 * The decompressed bytes of a gzipped log file (see logBytes); every failure, the file's or the
 * gzip data's, rejects the iteration as a LogReadError naming the file.
 */
export async function* gunzipChunks(path: string): AsyncGenerator<Buffer> {
  const input = logBytes({ path, gzipped: true });
  try {
    for await (const chunk of input) yield chunk as Buffer;
  } catch (error) {
    throw toLogReadError(error, path) ?? error;
  } finally {
    input.destroy();
  }
}

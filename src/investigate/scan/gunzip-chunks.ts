import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { toLogReadError } from '../log-read-error.js';

/**
 * The decompressed bytes of a gzipped log file. `createReadStream(path).pipe(createGunzip())` alone
 * does not forward the file's errors to the gunzip side: an unreadable file would be an uncaught
 * 'error' event (a crash no caller can catch). Here every failure, the file's or the gzip data's,
 * rejects the iteration as a LogReadError naming the file.
 */
export async function* gunzipChunks(path: string): AsyncGenerator<Buffer> {
  const source = createReadStream(path);
  const gunzip = createGunzip();
  source.on('error', (error) => gunzip.destroy(error));
  try {
    for await (const chunk of source.pipe(gunzip)) yield chunk as Buffer;
  } catch (error) {
    throw toLogReadError(error, path) ?? error;
  } finally {
    source.destroy();
  }
}

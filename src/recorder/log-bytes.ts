import { createReadStream } from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

// zlib's default 16 KB output chunks unzip a rotated log at about half the speed of 256 KB ones
// (142 MiB of decision lines: 0.5-0.7 s against 0.3 s), and every reader here goes through each chunk.
const GUNZIP_CHUNK = 256 * 1024;

/**
 * A log file's bytes, gunzipped for a `.gz`. `createReadStream(path).pipe(createGunzip())` alone
 * would neither pass the file's errors on (an unreadable .gz would be an uncaught 'error' event: a
 * crash no caller can catch) nor close the file when the reader stops early; pipeline does both.
 */
export function logBytes(file: { readonly path: string; readonly gzipped: boolean }): Readable {
  const source = createReadStream(file.path);
  if (!file.gzipped) return source;
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK });
  // The error also destroys `gunzip`, so it reaches whoever reads it.
  pipeline(source, gunzip, () => undefined);
  return gunzip;
}

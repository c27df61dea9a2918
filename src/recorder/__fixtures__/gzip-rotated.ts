import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import { RotatedCompression } from '../rotated-compression.js';

/** Gzips a rotated log file the way the bot does (the plain file removed), and checks it went without a failure. */
export async function gzipRotated(logsDir: string, path: string): Promise<void> {
  const failures: unknown[] = [];
  const compression = new RotatedCompression(logsDir, { graceMs: 0, onFailure: (_path, error) => failures.push(error) });
  compression.schedule(path, 0);
  await compression.idle();
  compression.close();
  expect(failures).toEqual([]);
  expect([existsSync(path), existsSync(`${path}.gz`)]).toEqual([false, true]);
}

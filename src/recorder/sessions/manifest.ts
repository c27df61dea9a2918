import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SESSION_END_REASONS } from '../events/audit-events.js';
import { writeFileAtomic } from './atomic-write.js';
import { MANIFEST_FILE } from './session-dir.js';
import { SessionError } from './session-error.js';

export const SESSION_MODES = ['paper', 'live', 'demo', 'backtest'] as const;
export type SessionMode = (typeof SESSION_MODES)[number];

/** `sessions/<id>/manifest.json`: written at start, rewritten (atomically) when the session ends. */
export const manifestSchema = z
  .object({
    session_id: z.string(),
    mode: z.enum(SESSION_MODES),
    version: z.string(),
    pid: z.number().int(),
    host: z.string(),
    argv: z.array(z.string()),
    data_dir: z.string(),
    config_hash: z.string(),
    start: z.string().describe('ISO 8601 UTC'),
    end: z.string().nullable().describe('ISO 8601 UTC; null while running or after a crash'),
    exit_reason: z.enum(SESSION_END_REASONS).nullable(),
    exit_code: z.number().int().nullable(),
    duration_ms: z.number().nullable(),
    failure: z
      .object({ code: z.string(), message: z.string() })
      .optional()
      .describe('why the session ended badly (exit reasons refused, error, fatal): SESSION_END\'s error_code and message. The only record of a start refused because its logs could not be opened, which has no SESSION_END'),
    sequence: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('the order sessions started in on this data directory: 1 + the largest before it; unlike the id (a wall-clock stamp), true across a clock set back. Absent in manifests written before it existed'),
  })
  .strict();

export type SessionManifest = z.infer<typeof manifestSchema>;

export function writeManifest(dir: string, manifest: SessionManifest): void {
  writeFileAtomic(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

export type ManifestReadResult = { ok: true; value: SessionManifest } | { ok: false; error: SessionError };

export function readManifest(dir: string): ManifestReadResult {
  const path = join(dir, MANIFEST_FILE);
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (parsed.success) return { ok: true, value: parsed.data };
    return { ok: false, error: new SessionError('read_failed', `${path} is not a valid manifest: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, path) };
  } catch (error) {
    return { ok: false, error: new SessionError('read_failed', `cannot read ${path}: ${(error as Error).message}`, path, { cause: error }) };
  }
}

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Channel } from '../../recorder/channels.js';
import { listLogFiles, type LogFile } from '../../recorder/log-files.js';

/** The log files of a data directory as they were when the query began. */
export interface LogSet {
  readonly dataDir: string;
  readonly logsDir: string;
  readonly files: readonly LogFile[];
  /** Size of each file (by path) when listed: lines appended later belong to --follow. */
  readonly sizes: ReadonlyMap<string, number>;
}

export function openLogSet(dataDir: string, channels?: readonly Channel[]): LogSet {
  const logsDir = join(dataDir, 'logs');
  const files = listLogFiles(logsDir, channels);
  const sizes = new Map<string, number>();
  for (const file of files) {
    try {
      sizes.set(file.path, statSync(file.path).size);
    } catch {
      // Rotated away between listing and stat: it is found again under its new name next time.
    }
  }
  return { dataDir, logsDir, files: files.filter((f) => sizes.has(f.path)), sizes };
}

export function totalBytes(set: LogSet): number {
  let total = 0;
  for (const size of set.sizes.values()) total += size;
  return total;
}

/** "no log files in ./data/logs (directory missing)" style explanation for an empty set. */
export function describeEmpty(set: LogSet): string {
  const state = existsSync(set.logsDir) ? 'it holds no *.jsonl files' : 'directory missing';
  return `no log files in ${set.logsDir} (${state}); pass --data-dir or set TRADETRACE_DATA_DIR to the bot's data directory`;
}

/** sessions/<id>/manifest.json as the session manager writes it; every field may be absent. */
export interface SessionManifest {
  readonly session_id: string;
  readonly start?: string;
  readonly end?: string | null;
  readonly exit_reason?: string | null;
  readonly exit_code?: number | null;
  readonly version?: string;
  readonly pid?: number;
  readonly host?: string;
  readonly mode?: string;
}

export function readManifests(dataDir: string): Map<string, SessionManifest> {
  const out = new Map<string, SessionManifest>();
  const dir = join(dataDir, 'sessions');
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    try {
      const value = JSON.parse(readFileSync(join(dir, name, 'manifest.json'), 'utf8')) as unknown;
      if (value !== null && typeof value === 'object' && typeof (value as { session_id?: unknown }).session_id === 'string') {
        out.set(name, value as SessionManifest);
      }
    } catch {
      // A missing or unreadable manifest: the logs are the ground truth anyway.
    }
  }
  return out;
}

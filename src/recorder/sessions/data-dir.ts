import { resolve } from 'node:path';

/** The variable naming the data directory when --data-dir is not given. */
export const DATA_DIR_ENV = 'TRADETRACE_DATA_DIR';

/** Where logs/ and sessions/ live when neither --data-dir nor $TRADETRACE_DATA_DIR names it. */
export const DEFAULT_DATA_DIR = 'data';

/**
 * The data directory every command uses: --data-dir, else $TRADETRACE_DATA_DIR, else ./data, under
 * `cwd`. An empty value counts as none: systemd's `TRADETRACE_DATA_DIR=` in an EnvironmentFile and
 * compose's `${TRADETRACE_DATA_DIR}` of an unset variable both give ''. The bot wrote ./data for it
 * while the queries, reading '' as a path, searched the current directory and found no logs.
 * One function, so the bot and every query agree on it.
 */
export function resolveDataDir(flag: string | undefined, env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  const given = flag ?? env[DATA_DIR_ENV];
  return resolve(cwd, given === undefined || given === '' ? DEFAULT_DATA_DIR : given);
}

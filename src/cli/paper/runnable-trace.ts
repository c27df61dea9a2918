import { accessSync, constants } from 'node:fs';
import { basename, delimiter, dirname, join } from 'node:path';

/**
 * Whether npm started this process (`npm start`, `npm run`, `npx`, `npm exec`): it sets these for
 * the scripts and commands it runs, and only for them.
 */
function startedByNpm(env: NodeJS.ProcessEnv): boolean {
  return env.npm_lifecycle_event !== undefined || env.npm_command !== undefined;
}

/**
 * A PATH entry the user's shell will not have once this process is gone. npx installs a package it
 * runs into npm's cache (`~/.npm/_npx/<hash>/node_modules/.bin`) and puts that folder first on the
 * PATH of that one command; `npm run` and `npx` also prepend the `node_modules/.bin` of the project
 * and of every folder above it. A `tradetrace` found there runs here but is `command not found` in
 * the shell that reads the summary.
 */
function onlyForThisProcess(dir: string, env: NodeJS.ProcessEnv): boolean {
  if (dir.split(/[\\/]/).includes('_npx')) return true;
  // Outside npm, a node_modules/.bin on PATH was put there by the user (direnv, a shell profile),
  // and their shell has it too.
  return startedByNpm(env) && basename(dir) === '.bin' && basename(dirname(dir)) === 'node_modules';
}

/**
 * Whether a `tradetrace` executable is on the user's PATH (npm link, a global install), as their
 * shell would find it after this process ends: entries npm or npx added for this process only do
 * not count.
 */
export function tradetraceOnPath(env: NodeJS.ProcessEnv): boolean {
  const names = process.platform === 'win32' ? ['tradetrace.cmd', 'tradetrace.exe', 'tradetrace'] : ['tradetrace'];
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '' || onlyForThisProcess(dir, env)) continue;
    for (const name of names) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return true;
      } catch {
        // not here
      }
    }
  }
  return false;
}

/**
 * The summary's `tradetrace trace ...` lines, made runnable where they are read. A newcomer who ran
 * `npm start` or `npx tradetrace paper` in a fresh checkout has no `tradetrace` on PATH (npm puts
 * only dependencies' bins there, npx its own cache for that one command), but `npx tradetrace` in
 * the checkout runs this package's own bin.
 */
export function runnableTraceCommands(summary: string, env: NodeJS.ProcessEnv): string {
  if (tradetraceOnPath(env)) return summary;
  return summary.replace(/(^ {2}|with )tradetrace trace /gm, '$1npx tradetrace trace ');
}

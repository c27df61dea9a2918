import { accessSync, constants } from 'node:fs';
import { basename, delimiter, dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { shellWord } from '../domain/shell-word.js';
import { COMMAND_NAMES } from './command-names.js';

// src/cli/ or dist/cli/: the checkout (or installed package) two folders up.
const PACKAGE_ROOT = resolve(import.meta.dirname, '../..');

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

/** Is `dir` the package's folder or one inside it, where `npx tradetrace` finds this package's own bin? */
function insidePackage(dir: string, root: string): boolean {
  const path = relative(root, dir);
  return path === '' || (!path.startsWith('..') && !isAbsolute(path));
}

/**
 * How the reader runs tradetrace from where they are, when plain `tradetrace` would be `command not
 * found`: undefined when a `tradetrace` is on their PATH. A newcomer who ran `npm start` or `npx
 * tradetrace ...` in a fresh checkout has none (npm puts only dependencies' bins there, npx its own
 * cache for that one command), but `npx tradetrace` in the checkout runs this package's own bin.
 * Anywhere else npx would look `tradetrace` up in the npm registry (and offer to install whatever is
 * published under that name): the command names this package's bin by its path instead.
 */
export function runnablePrefix(env: NodeJS.ProcessEnv, cwd = process.cwd(), packageRoot = PACKAGE_ROOT): string | undefined {
  if (tradetraceOnPath(env)) return undefined;
  return insidePackage(cwd, packageRoot) ? 'npx tradetrace' : `node ${shellWord(join(packageRoot, 'bin', 'tradetrace.js'))}`;
}

/**
 * A command a message suggests (`tradetrace trace dec_...`, `next: tradetrace orders --intent ...`,
 * `` `tradetrace health` ``): the program's name followed by one of its commands, not by a colon
 * (`tradetrace why: no log files in ...` names the program that speaks, it is no command to run).
 */
const SUGGESTED = new RegExp(`(^|[\\s\`'"(])tradetrace (?=(?:${COMMAND_NAMES.join('|')})(?![\\w:-]))`, 'gm');

/** `text` with every suggested `tradetrace <command>` run through `prefix` (see runnablePrefix). */
export function runnableCommands(text: string, prefix: string | undefined): string {
  if (prefix === undefined) return text;
  // A function, not a replacement string: a `$` in the path must stay a `$`.
  return text.replace(SUGGESTED, (_match, lead: string) => `${lead}${prefix} `);
}

/** The paper summary's commands made runnable where it is read (see runnablePrefix). */
export function runnableTraceCommands(summary: string, env: NodeJS.ProcessEnv, cwd = process.cwd(), packageRoot = PACKAGE_ROOT): string {
  return runnableCommands(summary, runnablePrefix(env, cwd, packageRoot));
}

/**
 * `stream` with what is written to it passed through runnableCommands: the human output of the
 * query commands, whose follow-up suggestions (`next: tradetrace trace ...`) a newcomer copies.
 */
export function withRunnableCommands<S extends NodeJS.WritableStream>(stream: S, prefix: string | undefined): S {
  if (prefix === undefined) return stream;
  return Object.create(stream, {
    write: {
      value: (chunk: string | Uint8Array, ...rest: unknown[]): boolean =>
        (stream.write as (chunk: string | Uint8Array, ...args: unknown[]) => boolean).call(stream, typeof chunk === 'string' ? runnableCommands(chunk, prefix) : chunk, ...rest),
    },
  }) as S;
}

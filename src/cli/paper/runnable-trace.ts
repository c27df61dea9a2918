import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Whether a `tradetrace` executable is on PATH (npm link, a global install), as the shell would find it. */
export function tradetraceOnPath(env: NodeJS.ProcessEnv): boolean {
  const names = process.platform === 'win32' ? ['tradetrace.cmd', 'tradetrace.exe', 'tradetrace'] : ['tradetrace'];
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
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
 * `npm start` in a fresh checkout has no `tradetrace` on PATH (npm puts only dependencies' bins
 * there), but `npx tradetrace` in the checkout runs this package's own bin.
 */
export function runnableTraceCommands(summary: string, env: NodeJS.ProcessEnv): string {
  if (tradetraceOnPath(env)) return summary;
  return summary.replace(/(^ {2}|with )tradetrace trace /gm, '$1npx tradetrace trace ');
}

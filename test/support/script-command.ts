import { execFileSync } from 'node:child_process';

/**
 * Whether util-linux `script` is here to give the bot a real terminal. Outside CI a missing one
 * skips the terminal cases with a printed reason (`who` names the test file); in CI (CI=true) it is
 * a broken machine, never a silent skip.
 */
export function scriptAvailable(who: string): boolean {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env['CI'] === 'true') throw new Error(`CI=true but \`script\` (util-linux) is not installed: ${who} cannot give the bot a terminal`);
    console.warn(`${who}: \`script\` (util-linux) is not installed, so its terminal cases cannot give the bot a terminal; skipped`);
    return false;
  }
}

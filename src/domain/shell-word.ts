/**
 * Helpers for the follow-up commands tradetrace prints (`next: tradetrace trace dec_...`): an
 * operator pastes them into a POSIX shell, so every argument must reach the command as one word.
 */

/** Characters no POSIX shell gives a meaning to, anywhere in a word (the set Python's shlex.quote keeps bare). */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * `word` as one shell word: unchanged when it is plain (`/tmp/x/data`, `dec_20250101_...`), else in
 * single quotes, inside which nothing is special but the closing quote, so a `'` is written `'\''`
 * (close, an escaped quote, reopen). An empty word is `''`, which the shell still passes as an argument.
 */
export function shellWord(word: string): string {
  if (PLAIN.test(word)) return word;
  return `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * ` --data-dir <dir>` to append to a printed command, or '' without a directory. Callers pass the
 * directory only when the follow-up command would not find it by itself (--data-dir chose it, not
 * $TRADETRACE_DATA_DIR or the default ./data), so the common case stays short.
 */
export function dataDirArg(dataDir: string | undefined): string {
  return dataDir === undefined ? '' : ` --data-dir ${shellWord(dataDir)}`;
}

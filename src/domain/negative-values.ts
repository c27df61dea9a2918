/** The options of a parseArgs config, as far as this needs them. */
type OptionTypes = Readonly<Record<string, { readonly type: 'string' | 'boolean' }>>;

/**
 * parseArgs takes `--speed -1` (or `--since -5m`, `--limit -1`) for a flag missing its value, and
 * says so ("argument is ambiguous"), which tells the user how parseArgs reads dashes instead of what
 * the flag takes: a negative number is given to any flag that takes a value as `--speed=-1` is, so
 * the flag's own check says what it expects. Arguments after `--` are left alone.
 */
export function negativeValuesJoined(args: readonly string[], options: OptionTypes): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const next = args[i + 1];
    if (arg === '--') return [...joined, ...args.slice(i)];
    if (arg.startsWith('--') && options[arg.slice(2)]?.type === 'string' && next !== undefined && /^-(?:\d|\.\d)/.test(next)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else joined.push(arg);
  }
  return joined;
}

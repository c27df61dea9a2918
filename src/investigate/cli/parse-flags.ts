import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isSecretKey, REDACTED } from '../../recorder/redaction.js';

/** A command line parseArgs would read in silence the wrong way: a flag given twice, an argument with no flag. */
export class FlagUsageError extends Error {
  constructor(
    readonly code: 'repeated_flag' | 'unexpected_argument',
    message: string,
  ) {
    super(message);
    this.name = 'FlagUsageError';
  }
}

type OptionsOf = NonNullable<ParseArgsConfig['options']>;

/** A flag whose value carries a credential (a webhook URL holds its token): its value is never repeated back. */
function secretFlag(name: string): boolean {
  return isSecretKey(name) || /webhook/i.test(name);
}

/** A value as a usage message shows it: bare when plain, quoted when it holds spaces, commas or nothing. */
function shownValue(name: string, value: string | undefined): string {
  if (secretFlag(name)) return REDACTED;
  if (value === undefined) return 'nothing';
  return /^[\w./:@+~-]+$/.test(value) ? value : JSON.stringify(value);
}

function times(count: number): string {
  return count === 2 ? 'twice' : `${count} times`;
}

/**
 * The first single-value flag given more than once: parseArgs keeps the last value in silence, so
 * `--config safety.yaml --config tuning.yaml` ran without the safety file and said nothing. A flag
 * declared `multiple` (--set, paper's --data) is repeatable; a boolean given twice asks the same thing.
 */
function repeatedFlag(args: readonly string[], options: OptionsOf): string | undefined {
  const { tokens } = parseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true });
  const given = new Map<string, (string | undefined)[]>();
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const option = options[token.name];
    if (!option || option.type !== 'string' || option.multiple === true) continue;
    const values = given.get(token.name) ?? [];
    values.push(token.value);
    given.set(token.name, values);
  }
  for (const [name, values] of given) {
    if (values.length < 2) continue;
    return `--${name} given ${times(values.length)} (${values.map((v) => shownValue(name, v)).join(', ')}); give it once`;
  }
  return undefined;
}

/** A --set value shaped like a key path (no `=` yet): the argument after it was most likely its value. */
const KEY_PATH = /^[A-Za-z0-9_.]+$/;

/**
 * An argument no flag takes, said without its text: it is most often a value that lost its flag or
 * its `=` (`--set exchange.api_key SECRET`), and parseArgs' "Unexpected argument 'SECRET'" put the
 * secret on the terminal and in whatever captures stderr.
 */
function unexpectedArgument(args: readonly string[], options: OptionsOf): string {
  const { tokens } = parseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true });
  const at = tokens.findIndex((token) => token.kind === 'positional');
  const before = at > 0 ? tokens[at - 1] : undefined;
  const hidden = '(the argument is not shown: it may be a secret)';
  if (before?.kind === 'option' && before.name === 'set' && before.value !== undefined && KEY_PATH.test(before.value)) {
    return `an argument with no flag after --set ${before.value}: did you mean --set ${before.value}=VALUE? ${hidden}`;
  }
  const where =
    before === undefined ? 'first'
    : before.kind === 'option-terminator' ? 'after --'
    : before.kind === 'option' ? `after --${before.name}${before.value === undefined ? '' : ' and its value'}`
    : 'after another argument with no flag';
  return `an argument with no flag ${where}: this command takes only flags (--flag VALUE or --flag=VALUE) ${hidden}`;
}

/**
 * parseArgs, refusing what it would read wrong in silence: a single-value flag given twice (it kept
 * the last) is a FlagUsageError, and an unexpected argument is one that does not repeat the argument.
 * Every command parses its flags through this, so each refuses the same command line the same way.
 */
export function parseFlags<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  const args = config.args ?? [];
  const options: OptionsOf = config.options ?? {};
  let result: ReturnType<typeof parseArgs<T>>;
  try {
    result = parseArgs(config);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      throw new FlagUsageError('unexpected_argument', unexpectedArgument(args, options));
    }
    throw error;
  }
  const repeated = repeatedFlag(args, options);
  if (repeated !== undefined) throw new FlagUsageError('repeated_flag', repeated);
  return result;
}

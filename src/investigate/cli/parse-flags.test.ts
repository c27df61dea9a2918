import { describe, expect, it } from 'vitest';
import { FlagUsageError, parseFlags } from './parse-flags.js';

const OPTIONS = {
  config: { type: 'string' },
  set: { type: 'string', multiple: true },
  webhook: { type: 'string' },
  json: { type: 'boolean' },
} as const;

function refusal(args: readonly string[], allowPositionals = false): FlagUsageError {
  try {
    parseFlags({ args: [...args], options: OPTIONS, strict: true, allowPositionals });
  } catch (error) {
    if (error instanceof FlagUsageError) return error;
    throw error;
  }
  throw new Error(`expected ${args.join(' ')} to be refused`);
}

describe('parseFlags', () => {
  it('refuses a single-value flag given twice, naming both values (parseArgs kept the last in silence)', () => {
    const error = refusal(['--config', 'safety.yaml', '--json', '--config=tuning.yaml']);
    expect(error.code).toBe('repeated_flag');
    expect(error.message).toBe('--config given twice (safety.yaml, tuning.yaml); give it once');
    expect(refusal(['--config', 'a', '--config', 'my file.yaml', '--config', '']).message).toBe('--config given 3 times (a, "my file.yaml", ""); give it once');
  });

  it('a secret-bearing flag given twice is refused without its values', () => {
    const error = refusal(['--webhook', 'https://hooks.test/T0KEN1', '--webhook', 'https://hooks.test/T0KEN2']);
    expect(error.message).toBe('--webhook given twice ([REDACTED], [REDACTED]); give it once');
  });

  it('a repeatable flag and a boolean given twice are read as before', () => {
    const { values } = parseFlags({ args: ['--set', 'a.b=1', '--set', 'c.d=2', '--json', '--json'], options: OPTIONS, strict: true, allowPositionals: false });
    expect(values).toEqual({ set: ['a.b=1', 'c.d=2'], json: true });
  });

  it('an unexpected argument is refused without its text, saying where it was', () => {
    const afterSet = refusal(['--set', 'exchange.api_key', 'ZZSECRETZZ9']);
    expect(afterSet.code).toBe('unexpected_argument');
    expect(afterSet.message).toBe('an argument with no flag after --set exchange.api_key: did you mean --set exchange.api_key=VALUE? (the argument is not shown: it may be a secret)');
    expect(refusal(['ZZSECRETZZ9']).message).toMatch(/^an argument with no flag first: /);
    expect(refusal(['--webhook', 'https://x.test/a', 'ZZSECRETZZ9']).message).toMatch(/^an argument with no flag after --webhook and its value: /);
    expect(refusal(['--json', 'ZZSECRETZZ9']).message).toMatch(/^an argument with no flag after --json: /);
    for (const args of [['--set', 'exchange.api_key', 'ZZSECRETZZ9'], ['ZZSECRETZZ9'], ['--json', '--', 'ZZSECRETZZ9']]) {
      expect(refusal(args).message).not.toContain('ZZSECRETZZ9');
    }
  });

  it('positionals a command takes are returned as before', () => {
    expect(parseFlags({ args: ['dec_1', '--json'], options: OPTIONS, strict: true, allowPositionals: true }).positionals).toEqual(['dec_1']);
  });
});

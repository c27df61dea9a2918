import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dataDirArg, shellWord } from './shell-word.js';

/** The arguments a real POSIX shell makes of `line`, NUL-separated so any character survives. */
function shellSplit(line: string): string[] {
  const out = execFileSync('sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('shellWord', () => {
  it('leaves plain paths and ids bare', () => {
    for (const word of ['/tmp/x/data', 'dec_20250101_120000_000001', 'session_20250101_120000', './data', 'BTC/USDT', 'a=b,c:d@e%f+g']) {
      expect(shellWord(word)).toBe(word);
    }
  });

  it('quotes a path with a space, a quote and non-ASCII so the shell reads it back as one word', () => {
    const path = "/tmp/nextfix/with space/it's dä tä ✓";
    expect(shellWord(path)).toBe("'/tmp/nextfix/with space/it'\\''s dä tä ✓'");
    expect(shellSplit(`${shellWord(path)} ${shellWord('x')}`)).toEqual([path, 'x']);
  });

  it('quotes the empty word and words the shell would expand or split', () => {
    expect(shellWord('')).toBe("''");
    expect(shellSplit(`${shellWord('')} ${shellWord('$HOME')} ${shellWord('~')} ${shellWord('a*')} ${shellWord('`id`')}`)).toEqual(['', '$HOME', '~', 'a*', '`id`']);
  });

  it('property: any string without NUL comes back from sh as the same single word', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => !s.includes('\0')), (word) => {
        expect(shellSplit(shellWord(word))).toEqual([word]);
      }),
      { numRuns: 60 },
    );
  });
});

describe('dataDirArg', () => {
  it('is empty without a directory, and a quoted --data-dir with one', () => {
    expect(dataDirArg(undefined)).toBe('');
    expect(dataDirArg('/tmp/x/data')).toBe(' --data-dir /tmp/x/data');
    expect(dataDirArg('/tmp/a b')).toBe(" --data-dir '/tmp/a b'");
  });
});

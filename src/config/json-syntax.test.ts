import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError, lineColumn } from './json-syntax.js';

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('findJsonSyntaxError', () => {
  it('finds an error exactly when JSON.parse refuses the text (property)', () => {
    const piece = fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '"a"', '1', '-', '0.5e3', '01', 'true', 'nul', ' ', '\n', '\\', '\\u00e9', '\\x', "'", 'x', '\t');
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.array(piece, { maxLength: 14 }).map((p) => p.join(''))), (text) => {
        const found = findJsonSyntaxError(text);
        expect(found === undefined, text).toBe(parses(text));
        if (found) expect(found.offset).toBeLessThanOrEqual(text.length);
      }),
      { numRuns: 2_000 },
    );
  });

  it('points at the first offending character and says what was expected', () => {
    expect(findJsonSyntaxError('{"a": 1,}')).toEqual({ offset: 8, expected: 'a key in double quotes' });
    expect(findJsonSyntaxError('[1 2]')).toEqual({ offset: 3, expected: "',' or ']' after a value in a list" });
    expect(findJsonSyntaxError('{"a" 1}')).toEqual({ offset: 5, expected: "':' after the key" });
    expect(findJsonSyntaxError('')).toEqual({ offset: 0, expected: expect.stringMatching(/^a value/) as string });
    expect(findJsonSyntaxError(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toBeUndefined();
    expect(lineColumn('ab\ncd\nef', 7)).toEqual({ line: 3, column: 2 });
    expect(lineColumn('ab', 0)).toEqual({ line: 1, column: 1 });
  });
});

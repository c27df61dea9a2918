import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findDuplicateJsonKeys } from './json-duplicate-keys.js';

function paths(text: string): string[] {
  JSON.parse(text); // the function's precondition: only valid JSON is checked
  return findDuplicateJsonKeys(text).map((d) => d.path);
}

describe('findDuplicateJsonKeys', () => {
  it('finds a repeated section, with the line and column of the second occurrence and the line of the first', () => {
    const text = '{\n  "trading": {"global_trading": false},\n  "trading": {"max_open_positions": 2}\n}\n';
    expect(findDuplicateJsonKeys(text)).toEqual([{ path: 'trading', line: 3, column: 3, firstLine: 2 }]);
  });

  it('finds the operator\'s one-line case', () => {
    expect(findDuplicateJsonKeys('{"trading":{"global_trading":false},"trading":{"max_open_positions":2}}')).toEqual([
      { path: 'trading', line: 1, column: 37, firstLine: 1 },
    ]);
  });

  it('names nested keys by their dotted path and lists every duplicate in document order', () => {
    const text = '{"trading":{"symbols":["A/B"],"symbols":["C/D"],"max_open_positions":1},"exits":{},"exits":{"x":1,"x":2},"trading":{}}';
    expect(paths(text)).toEqual(['trading.symbols', 'exits', 'exits.x', 'trading']);
  });

  it('reports a third occurrence too, each against the first', () => {
    const text = '{"a":1,\n"a":2,\n"a":3}';
    expect(findDuplicateJsonKeys(text)).toEqual([
      { path: 'a', line: 2, column: 1, firstLine: 1 },
      { path: 'a', line: 3, column: 1, firstLine: 1 },
    ]);
  });

  it('checks objects inside arrays separately, naming them by index', () => {
    expect(paths('[{"a":1,"b":2},{"a":1,"a":2},[{"c":[],"c":{}}]]')).toEqual(['[1].a', '[2][0].c']);
    expect(paths('{"list":[{"k":1},{"k":2},{"k":3,"k":4}]}')).toEqual(['list[2].k']);
  });

  it('does not confuse the same key in sibling or nested objects with a duplicate', () => {
    expect(paths('{"a":{"a":{"a":1}},"b":{"a":1},"c":[{"a":1},{"a":2}]}')).toEqual([]);
  });

  it('reads strings with escapes, and compares keys as JSON.parse decodes them', () => {
    expect(paths('{"a\\"b":1,"a\\\\":2,"\\\\":3,"x":"}{\\",\\"x\\":","y":"\\\\"}')).toEqual([]);
    expect(paths('{"ab":1,"a\\u0062":2}')).toEqual(['ab']);
    expect(paths('{"\\"":1,"\\"":2}')).toEqual(['"']);
    // A value that looks like a key is not one.
    expect(paths('{"k":"k","v":["k","k"],"w":{"k":"k"}}')).toEqual([]);
  });

  it('finds nothing in scalars, empty containers, or whitespace-heavy documents', () => {
    for (const text of ['1', '"a"', 'null', '[]', '{}', ' \r\n { \t"a" : [ ] , "b" : { } } \n']) expect(paths(text)).toEqual([]);
  });

  it('handles nesting far deeper than a recursive parser would', () => {
    const depth = 50_000;
    expect(paths(`${'{"a":'.repeat(depth)}{"b":1,"b":2}${'}'.repeat(depth)}`)).toEqual([`${'a.'.repeat(depth)}b`]);
  });

  it('never reports a key in JSON written by JSON.stringify (which cannot repeat one)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2, '\t'), (value, indent) => {
        expect(findDuplicateJsonKeys(JSON.stringify(value, null, indent))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('finds a member copied next to itself anywhere in generated JSON', () => {
    const objects = fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 });
    fc.assert(
      fc.property(objects, fc.nat(), (value, pick) => {
        const keys = Object.keys(value);
        const key = keys[pick % keys.length] as string;
        const member = `${JSON.stringify(key)}:${JSON.stringify(value[key])}`;
        const text = `{"wrap":[${JSON.stringify(value).slice(0, -1)},${member}}]}`;
        const found = findDuplicateJsonKeys(text);
        expect(found.map((d) => d.path)).toEqual([`wrap[0].${key}`]);
      }),
      { numRuns: 300 },
    );
  });
});

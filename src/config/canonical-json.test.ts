import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys by UTF-16 code units at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: null, y: true }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":true,"z":null}]},"b":1}');
    // RFC 8785 3.2.3: sorting is by code units, so U+20AC sorts before U+FB33 and "\r" before "1".
    expect(canonicalJson({ '\u20ac': 1, '\r': 2, '1': 3, '\ufb33': 4 })).toBe('{"\\r":2,"1":3,"€":1,"דּ":4}');
  });

  it('writes numbers in shortest round-trip form and drops undefined members', () => {
    expect(canonicalJson({ n: 1e21, m: 0.1, k: -0, u: undefined })).toBe('{"k":0,"m":0.1,"n":1e+21}');
  });

  it('refuses values JSON cannot represent', () => {
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/NaN/);
    expect(() => canonicalJson({ x: () => 1 })).toThrow(/function/);
  });

  it('is the same for any key order and parses back to an equal value', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
        const reversed = Object.fromEntries(Object.entries(value).reverse());
        const text = canonicalJson(value);
        expect(canonicalJson(reversed)).toBe(text);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { forEachMisshapen, hasLogLineShape } from './line-shape.js';

const shaped = (text: string): boolean => hasLogLineShape(Buffer.from(text), 0, Buffer.byteLength(text));

describe('hasLogLineShape', () => {
  it('accepts a recorder line, with LF or CRLF ending, and nothing else', () => {
    expect(shaped('{"ts":"2026-01-01T00:00:00.000Z","level":"info"}')).toBe(true);
    expect(shaped('{"ts":"2026-01-01T00:00:00.000Z","level":"info"}\r')).toBe(true);
    expect(shaped('{"ts":"2026-01-01T00:00:00.000Z","level":"info"')).toBe(false);
    expect(shaped('{"level":"info","ts":"2026-01-01T00:00:00.000Z"}')).toBe(false);
    expect(shaped('garbage\r')).toBe(false);
  });

  it('reports only the misshapen lines of a region, CRLF lines passing', () => {
    const region = Buffer.from('{"ts":"a"}\r\nnot a line\n{"ts":"b"}\n\n{"ts":"c"\n');
    const found: string[] = [];
    forEachMisshapen(region, 0, region.length, (start, end) => found.push(region.toString('utf8', start, end)));
    expect(found).toEqual(['not a line', '{"ts":"c"']);
  });

  it('reports a line that keeps its shape but holds NUL bytes, wherever they are in the region', () => {
    const region = Buffer.from('{"ts":"a","e":"ORDER_FI\u0000LED"}\n{"ts":"b"}\n{"ts":"c"}\n{"ts":"d\u0000"}\n{"ts":"e"}\n');
    const found: string[] = [];
    forEachMisshapen(region, 0, region.length, (start, end) => found.push(region.toString('utf8', start, end)));
    expect(found).toEqual(['{"ts":"a","e":"ORDER_FI\u0000LED"}', '{"ts":"d\u0000"}']);
    // From a later start: the NUL before it is not this span's.
    const later: string[] = [];
    const from = region.indexOf('{"ts":"b"}');
    forEachMisshapen(region, from, region.length, (start, end) => later.push(region.toString('utf8', start, end)));
    expect(later).toEqual(['{"ts":"d\u0000"}']);
  });
});


import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvCells } from './csv-cells.js';

describe('CsvCells', () => {
  it('property: finds the cells split(",") finds, trimmed as String.trim trims them', () => {
    const cell = fc.stringMatching(/^[ \t\u00a0\ufeff0-9.a-z-]{0,8}$/);
    fc.assert(
      fc.property(fc.array(cell, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 8 }), (parts, width) => {
        const text = parts.join(',');
        const cells = new CsvCells(width);
        const expected = text.split(',');
        expect(cells.locate(text)).toBe(expected.length);
        for (let i = 0; i < expected.length; i++) expect(cells.textOf(i)).toBe(i < width ? (expected[i] ?? '').trim() : '');
      }),
    );
  });

  it('reads plain decimal text to the double Number() gives, and refuses everything else', () => {
    const cells = new CsvCells(12);
    cells.locate('46319.0,0.0016,12,1.,.5,1e3, 1,1 ,,123456789012345678,-1,12.34.5');
    expect([0, 1, 2].map((i) => cells.plainNumber(i))).toEqual([46319, 0.0016, 12]);
    for (let i = 3; i < 12; i++) expect(cells.plainNumber(i), `cell ${i}`).toBeNaN();
  });

  it('compares cells by their exact characters', () => {
    const cells = new CsvCells(4);
    cells.locate('2.5,2.50,2.5,2.5 ');
    expect(cells.same(0, 2)).toBe(true);
    expect(cells.same(0, 1)).toBe(false);
    expect(cells.same(0, 3)).toBe(false);
  });
});

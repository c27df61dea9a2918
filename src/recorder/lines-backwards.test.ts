import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { linesBackwards } from './lines-backwards.js';

describe('linesBackwards', () => {
  it('yields every whole line last first, across chunk boundaries, without a torn tail (property)', () => {
    const dir = tempDir('tradetrace-backwards-');
    let n = 0;
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ maxLength: 40 }), fc.constant('x'.repeat(700_000))), { maxLength: 12 }), fc.option(fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), fc.constant('z'.repeat(1_200_000)))), (raw, torn) => {
        const lines = raw.map((line) => line.replace(/\n/g, ' ')).filter((line) => line.length > 0);
        const path = join(dir, `f${n++}.jsonl`);
        const tail = torn === null ? '' : torn.replace(/\n/g, ' ');
        writeFileSync(path, lines.map((line) => `${line}\n`).join('') + tail);
        expect([...linesBackwards(path)]).toEqual([...lines].reverse());
      }),
      { numRuns: 60 },
    );
  });

  it('stops once it has read maxBytes from the end', () => {
    const path = join(tempDir('tradetrace-backwards-'), 'big.jsonl');
    const lines = Array.from({ length: 40_000 }, (_, i) => `line ${i} ${'y'.repeat(20)}`);
    writeFileSync(path, lines.map((line) => `${line}\n`).join(''));
    const read = [...linesBackwards(path, 300_000)];
    expect(read[0]).toBe(lines.at(-1));
    expect(read.length).toBeGreaterThan(1000);
    expect(read.length).toBeLessThan(lines.length);
  });

  it('yields a line many read chunks long whole, between short ones, past a long torn tail', () => {
    const path = join(tempDir('tradetrace-backwards-'), 'long.jsonl');
    const lines = ['first', `{"long":"${'w'.repeat(3_500_000)}"}`, 'last'];
    writeFileSync(path, `${lines.map((line) => `${line}\n`).join('')}${'t'.repeat(2_200_000)}`);
    expect([...linesBackwards(path)]).toEqual([...lines].reverse());
  });
});


import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, DecimalError } from './decimal.js';

/** Decimals as exchanges send them: up to 12 integer digits and 10 decimals, either sign. */
const decimal = fc
  .tuple(fc.bigInt({ min: -(10n ** 22n), max: 10n ** 22n }), fc.integer({ min: 0, max: 10 }))
  .map(([units, scale]) => Decimal.ofUnits(units, scale));
const positiveStep = fc
  .tuple(fc.bigInt({ min: 1n, max: 10n ** 6n }), fc.integer({ min: 0, max: 10 }))
  .map(([units, scale]) => Decimal.ofUnits(units, scale));

describe('Decimal', () => {
  it('parses what it prints, exactly', () => {
    fc.assert(fc.property(decimal, (d) => Decimal.parse(d.toString()).eq(d)));
  });

  it('adds and subtracts without loss: (a + b) - b = a', () => {
    fc.assert(fc.property(decimal, decimal, (a, b) => a.add(b).sub(b).eq(a)));
  });

  it('multiplies exactly: (a x b) / b = a when b is not zero', () => {
    fc.assert(
      fc.property(decimal, decimal, (a, b) => {
        fc.pre(!b.isZero());
        return a.mul(b).div(b, 30).eq(a);
      }),
    );
  });

  it('normalizes results, so equal values print and compare field by field the same', () => {
    fc.assert(
      fc.property(decimal, decimal, (a, b) => {
        const viaSum = a.add(b).sub(b);
        const direct = Decimal.parse(a.toString());
        expect(viaSum.toString()).toBe(direct.toString());
        expect({ units: viaSum.units, scale: viaSum.scale }).toEqual({ units: direct.units, scale: direct.scale });
      }),
    );
    expect(Decimal.parse('0.00162').sub(Decimal.parse('0.00162')).toString()).toBe('0');
  });

  it('compares consistently with subtraction', () => {
    fc.assert(fc.property(decimal, decimal, (a, b) => a.compare(b) === b.sub(a).neg().compare(Decimal.ZERO)));
  });

  it('quantize lands on the step, within one step, on the side its mode says', () => {
    fc.assert(
      fc.property(decimal, positiveStep, (value, step) => {
        const down = value.quantize(step, 'down');
        const up = value.quantize(step, 'up');
        expect(down.isMultipleOf(step)).toBe(true);
        expect(up.isMultipleOf(step)).toBe(true);
        // down/up are toward/away from zero.
        expect(down.abs().lte(value.abs())).toBe(true);
        expect(up.abs().gte(value.abs())).toBe(true);
        expect(value.sub(down).abs().lt(step)).toBe(true);
        expect(up.sub(value).abs().lt(step)).toBe(true);
        if (value.isMultipleOf(step)) expect(down.eq(value) && up.eq(value)).toBe(true);
      }),
    );
  });

  it('rounds half-even and half-up as documented', () => {
    expect(Decimal.parse('2.5').round(0, 'half_even').toString()).toBe('2');
    expect(Decimal.parse('3.5').round(0, 'half_even').toString()).toBe('4');
    expect(Decimal.parse('2.5').round(0, 'half_up').toString()).toBe('3');
    expect(Decimal.parse('-2.5').round(0, 'half_up').toString()).toBe('-3');
    expect(Decimal.parse('-0.00162008').round(5, 'down').toString()).toBe('-0.00162');
  });

  it('keeps altcoin prices exact where floats do not', () => {
    const price = Decimal.parse('0.00162008');
    expect(price.mul(Decimal.parse('3')).toString()).toBe('0.00486024');
    expect(Decimal.parse('0.1').add(Decimal.parse('0.2')).toString()).toBe('0.3');
    expect(Decimal.from(0.0016).toString()).toBe('0.0016');
    expect(Decimal.parse('1e-8').toString()).toBe('0.00000001');
  });

  it('rejects bad text with an error naming the input', () => {
    expect(() => Decimal.parse('12,5')).toThrow(DecimalError);
    expect(() => Decimal.parse('12,5')).toThrow(/"12,5"/);
    expect(() => Decimal.from(Number.NaN)).toThrow(/finite/);
    expect(() => Decimal.ONE.div(Decimal.ZERO)).toThrow(RangeError);
  });

  it('prints fixed places and JSON as plain decimal text', () => {
    expect(Decimal.parse('45000').toFixed(2)).toBe('45000.00');
    expect(JSON.stringify({ px: Decimal.parse('0.00160345') })).toBe('{"px":"0.00160345"}');
  });
});

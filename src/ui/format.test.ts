import { describe, expect, it } from 'vitest';
import { Decimal } from '../domain/decimal.js';
import { formatAge, formatFees } from './format.js';

describe('formatAge', () => {
  it('rounds once, so a carry never shows as 60 seconds or 60 minutes', () => {
    expect([0.04, 0.24, 59.94, 59.97, 60, 95.4, 119.6, 3599.4, 3599.6, 7_530, 86_399].map(formatAge)).toEqual([
      '0.0s', '0.2s', '59.9s', '1m0s', '1m0s', '1m35s', '2m0s', '59m59s', '1h00m', '2h06m', '24h00m',
    ]);
    expect(formatAge(null)).toBe('never');
  });
});

describe('formatFees', () => {
  it('shows a fee below a cent with its own digits (a BTC fee is not 0.00), and cents from a cent up', () => {
    expect(['0.00037645', '0.00000005', '0.004', '0.123456789', '0.4715855', '18.3073606', '0'].map((text) => formatFees(Decimal.parse(text)))).toEqual([
      '0.00037645', '0.00000005', '0.004', '0.12', '0.47', '18.31', '0.00',
    ]);
  });
});

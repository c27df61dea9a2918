import { describe, expect, it } from 'vitest';
import { readDecimalField } from './decimal-field.js';
import { symbolFromFileName } from './symbol-from-file.js';
import { readTimestampField } from './timestamp-field.js';
import { parseSpeed, SpeedError } from './market-feed.js';
import { Decimal } from '../domain/decimal.js';

describe('readDecimalField', () => {
  it('reads plain text exactly, normalized like Decimal.parse', () => {
    for (const text of ['46319.0', '2300413.7295', '0.00162008', '0', '100', '0.000', '007.50', '123456789012345']) {
      const value = readDecimalField(text);
      expect(value).toBeInstanceOf(Decimal);
      expect((value as Decimal).toString()).toBe(Decimal.parse(text).toString());
      expect((value as Decimal).scale).toBe(Decimal.parse(text).scale);
    }
  });

  it('falls back to Decimal.parse for exponents and long digit strings, never through a float', () => {
    expect((readDecimalField('9.417e-05') as Decimal).toString()).toBe('0.00009417');
    // 0.1 + 0.2 style: 17+ digits would not survive a double.
    expect((readDecimalField('12345678901234567.89') as Decimal).toString()).toBe('12345678901234567.89');
  });

  it('says what was expected for text that is not a non-negative number', () => {
    for (const bad of ['', 'abc', '1.2.3', '-5', '.', 'NaN', '1,5']) {
      expect(typeof readDecimalField(bad), bad).toBe('string');
    }
  });
});

describe('readTimestampField', () => {
  it('reads the nautilus layout, ISO 8601 and epoch milliseconds to the same instant', () => {
    const ms = Date.UTC(2021, 11, 31, 23, 1, 0);
    expect(readTimestampField('2021-12-31 23:01:00.000000')).toBe(ms);
    expect(readTimestampField('2021-12-31T23:01:00Z')).toBe(ms);
    expect(readTimestampField('2021-12-31T23:01:00.000Z')).toBe(ms);
    expect(readTimestampField('2022-01-01T01:01:00+02:00')).toBe(ms);
    expect(readTimestampField(String(ms))).toBe(ms);
    expect(readTimestampField('2021-12-31 23:01:00.250')).toBe(ms + 250);
    // The day cache must not leak a day into the next one.
    expect(readTimestampField('2022-01-01 00:00:00.000000')).toBe(Date.UTC(2022, 0, 1));
  });

  it('rejects impossible dates, seconds counts and other text with what was expected', () => {
    expect(readTimestampField('2022-02-30 00:00:00')).toMatch(/no such day/);
    expect(readTimestampField('2022-13-01 00:00:00')).toMatch(/UTC time/);
    expect(readTimestampField('2022-01-01 24:00:00')).toMatch(/UTC time/);
    expect(readTimestampField('1640991660')).toMatch(/looks like seconds/);
    expect(readTimestampField('yesterday')).toMatch(/UTC time/);
  });
});

describe('symbolFromFileName', () => {
  it('derives the symbol by the documented rule', () => {
    expect(symbolFromFileName('../shared/data/btc-perp-20211231-20220201_1m.csv')).toBe('BTC-PERP');
    expect(symbolFromFileName('UNITTEST_BTC-1m.json')).toBe('UNITTEST/BTC');
    expect(symbolFromFileName('/x/ETH_USDT-5m.json')).toBe('ETH/USDT');
    expect(symbolFromFileName('BTCUSDT.csv')).toBe('BTCUSDT');
    expect(symbolFromFileName('sol-usdt_1h.csv.gz')).toBe('SOL-USDT');
  });

  it('gives up on names that hold no symbol', () => {
    expect(symbolFromFileName('my candles (1).csv')).toBeUndefined();
    expect(symbolFromFileName('20220101.csv')).toBe('20220101');
  });
});

describe('parseSpeed', () => {
  it('reads numbers and max, rejects the rest with a typed error', () => {
    expect(parseSpeed('1')).toBe(1);
    expect(parseSpeed('60')).toBe(60);
    expect(parseSpeed('0.5')).toBe(0.5);
    expect(parseSpeed('MAX')).toBe('max');
    for (const bad of ['0', '-1', 'fast', '', 'Infinity']) expect(() => parseSpeed(bad)).toThrow(SpeedError);
  });
});

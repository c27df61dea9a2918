import { Decimal, DecimalError } from '../domain/decimal.js';

/** Up to 15 digits an integer count stays exact in a double, so the fast path can total it there. */
const FAST_DIGITS = 15;

/**
 * Reads a non-negative decimal from candle text straight into a Decimal, exactly: the text's digits
 * become the integer units (never a float approximation of the value). Plain `123.45` text, the
 * bulk of any candle file, is read in one pass over its characters, several times faster than
 * Decimal.parse; longer or exponent forms (`9.417e-05`, as JSON writers emit) fall back to it.
 * Returns a string saying what was expected when the text is not such a number.
 */
export function readDecimalField(text: string): Decimal | string {
  const length = text.length;
  let units = 0;
  let digits = 0;
  let dot = -1;
  let trailingZeros = 0;
  let i = 0;
  for (; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      units = units * 10 + (c - 48);
      digits++;
      trailingZeros = c === 48 ? trailingZeros + 1 : 0;
    } else if (c === 46 && dot < 0 && digits > 0) {
      dot = i;
      trailingZeros = 0;
    } else break;
  }
  if (i === length && digits > 0 && digits <= FAST_DIGITS && dot !== length - 1) {
    if (dot < 0) return Decimal.ofUnits(BigInt(units), 0);
    // Decimals are kept normalized (no trailing fractional zeros): `46319.0` is 46319.
    const scale = length - dot - 1 - trailingZeros;
    return Decimal.ofUnits(BigInt(units / 10 ** trailingZeros), scale);
  }
  try {
    const value = Decimal.parse(text);
    return value.isNegative() ? 'a non-negative decimal number' : value;
  } catch (error) {
    if (error instanceof DecimalError) return error.expected;
    throw error;
  }
}

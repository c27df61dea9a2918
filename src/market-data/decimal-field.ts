import { Decimal, DecimalError } from '../domain/decimal.js';

/** Up to 15 digits an integer count stays exact in a double, so the fast path can total it there. */
const FAST_DIGITS = 15;
/**
 * Candle values are below 10^18. Exponent text is read (JSON writers emit small numbers as
 * `9.417e-05`), so `1e308` would parse, and `1e999999999` would build a billion-digit integer for
 * a minute before failing: the magnitude is judged from the text, before any digit is expanded.
 * No market's price or volume comes near 10^18 (prices are bounded tighter in checkCandle).
 */
const CANDLE_VALUE_DIGITS = 18;
const TOO_LARGE = `a number below 1e18 (1${'0'.repeat(CANDLE_VALUE_DIGITS)}): no market's price or volume comes near it`;
const NOT_NEGATIVE = 'a non-negative decimal number';
const NUMBER_PARTS = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * The text's number judged from its sign, digits and exponent alone, without expanding it: what is
 * wrong (negative, or 10^18 and more), zero for zero digits whatever the exponent (`0e999999999`
 * would be expanded too), undefined when it is to be parsed (or is no number: parsing says why).
 */
function judgedFromText(text: string): string | Decimal | undefined {
  const m = NUMBER_PARTS.exec(text.trim());
  if (!m) return undefined;
  const whole = m[2] ?? '';
  const digits = whole + (m[3] ?? '');
  if (digits.length === 0) return undefined;
  let first = 0;
  while (first < digits.length && digits.charCodeAt(first) === 48) first++;
  if (first === digits.length) return Decimal.ZERO;
  if (m[1] === '-') return NOT_NEGATIVE;
  // The power of ten of the first significant digit: 123.4e2 -> 4, 0.05 -> -2.
  const magnitude = whole.length - 1 - first + Number(m[4] ?? '0');
  return magnitude >= CANDLE_VALUE_DIGITS ? TOO_LARGE : undefined;
}

/**
 * Reads a non-negative decimal from candle text straight into a Decimal, exactly: the text's digits
 * become the integer units (never a float approximation of the value). Plain `123.45` text, the
 * bulk of any candle file, is read in one pass over its characters, several times faster than
 * Decimal.parse; longer or exponent forms (`9.417e-05`, as JSON writers emit) fall back to it,
 * below 10^18 (CANDLE_VALUE_DIGITS). Returns a string saying what was expected when the text is not such a number.
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
  const judged = judgedFromText(text);
  if (judged !== undefined) return judged;
  try {
    const value = Decimal.parse(text);
    return value.isNegative() ? NOT_NEGATIVE : value;
  } catch (error) {
    if (error instanceof DecimalError) return error.expected;
    throw error;
  }
}

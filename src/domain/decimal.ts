/**
 * Fixed-point decimal for prices, quantities and balances: an integer count of 10^-scale units.
 * Floats never touch money here; a float only enters through `Decimal.from(number)`, which reads its
 * shortest round-trip text (what the exchange sent), not its binary value.
 */
export type RoundingMode = 'down' | 'up' | 'half_even' | 'half_up';

export class DecimalError extends Error {
  readonly code = 'invalid_decimal' as const;
  constructor(readonly input: string, readonly expected: string) {
    super(`invalid decimal ${JSON.stringify(input)}: expected ${expected}`);
    this.name = 'DecimalError';
  }
}

const DECIMAL_TEXT = /^([+-]?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$|^([+-]?)\.(\d+)(?:[eE]([+-]?\d+))?$/;
const MAX_SCALE = 36;

// Scales stay small (at most MAX_SCALE, doubled by a product), so powers of ten come from a table:
// `10n ** BigInt(n)` allocated two bigints per arithmetic call on the per-bar path.
const POW10: bigint[] = [];
for (let i = 0, p = 1n; i <= 4 * MAX_SCALE; i++, p *= 10n) POW10.push(p);

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** 10^0..10^22: the powers of ten a double holds exactly. */
const EXACT_POWERS_OF_TEN: readonly number[] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

function pow10(n: number): bigint {
  return POW10[n] ?? 10n ** BigInt(n);
}

function divRound(numerator: bigint, denominator: bigint, mode: RoundingMode): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  if (numerator <= SAFE && numerator >= -SAFE && denominator <= SAFE && denominator >= -SAFE) return divRoundSmall(Number(numerator), Number(denominator), mode);
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  let q = n / d;
  const r = n % d;
  if (r !== 0n) {
    // 'down' and 'up' are toward and away from zero, so a sell rounds the same way as a buy of its size.
    if (mode === 'up') q += 1n;
    else if (mode === 'half_up' && r * 2n >= d) q += 1n;
    else if (mode === 'half_even' && (r * 2n > d || (r * 2n === d && q % 2n === 1n))) q += 1n;
  }
  return negative ? -q : q;
}

/**
 * divRound for operands below 2^53, in doubles: for such integers Math.floor(n / d) is the exact
 * quotient (the division's rounding error is below 1/d), and q * d, r and 2r stay exact too.
 */
function divRoundSmall(numerator: number, denominator: number, mode: RoundingMode): bigint {
  const negative = numerator < 0 !== denominator < 0;
  const n = Math.abs(numerator);
  const d = Math.abs(denominator);
  let q = Math.floor(n / d);
  const r = n - q * d;
  if (r !== 0) {
    if (mode === 'up') q += 1;
    else if (mode === 'half_up' && r * 2 >= d) q += 1;
    else if (mode === 'half_even' && (r * 2 > d || (r * 2 === d && q % 2 === 1))) q += 1;
  }
  return BigInt(negative ? -q : q);
}

export class Decimal {
  static readonly ZERO = new Decimal(0n, 0);
  static readonly ONE = new Decimal(1n, 0);

  private constructor(
    /** The value times 10^scale. */
    readonly units: bigint,
    readonly scale: number,
  ) {}

  static ofUnits(units: bigint, scale: number): Decimal {
    return new Decimal(units, scale);
  }

  /** Parses decimal text (`"45000.5"`, `"-0.0016"`, `"1e-8"`); throws DecimalError naming the input. */
  static parse(text: string): Decimal {
    const m = DECIMAL_TEXT.exec(text.trim());
    if (!m) throw new DecimalError(text, 'a decimal number such as 45000.5 or 0.0016');
    const sign = m[1] ?? m[5] ?? '';
    const intPart = m[2] ?? '0';
    const fracPart = m[3] ?? m[6] ?? '';
    const exponent = Number(m[4] ?? m[7] ?? '0');
    let units = BigInt(intPart + fracPart);
    let scale = fracPart.length - exponent;
    if (scale < 0) {
      units *= pow10(-scale);
      scale = 0;
    }
    if (scale > MAX_SCALE) throw new DecimalError(text, `at most ${MAX_SCALE} decimal places`);
    return new Decimal(sign === '-' ? -units : units, scale).normalized();
  }

  static from(value: Decimal | string | number | bigint): Decimal {
    if (value instanceof Decimal) return value;
    if (typeof value === 'bigint') return new Decimal(value, 0);
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new DecimalError(String(value), 'a finite number');
      return Decimal.parse(String(value));
    }
    return Decimal.parse(value);
  }

  private normalized(): Decimal {
    let { units, scale } = this;
    if (scale === 0) return this;
    if (units <= SAFE && units >= -SAFE) {
      // Small values (prices, quantities) strip their zeros in doubles: exact below 2^53, and no
      // bigint is allocated for a remainder, the common case being nothing to strip.
      let n = Number(units);
      if (n % 10 !== 0) return this;
      while (scale > 0 && n % 10 === 0) {
        n /= 10;
        scale--;
      }
      return new Decimal(BigInt(n), scale);
    }
    // Results of div carry up to 18 places, mostly zeros: strip eight at a time first.
    while (scale >= 8 && units % 100_000_000n === 0n) {
      units /= 100_000_000n;
      scale -= 8;
    }
    while (scale > 0 && units % 10n === 0n) {
      units /= 10n;
      scale--;
    }
    // Compare scales too: zero shrinks its scale without changing its units.
    return scale === this.scale ? this : new Decimal(units, scale);
  }

  private aligned(other: Decimal): [bigint, bigint, number] {
    if (this.scale === other.scale) return [this.units, other.units, this.scale];
    const scale = Math.max(this.scale, other.scale);
    return [this.units * pow10(scale - this.scale), other.units * pow10(scale - other.scale), scale];
  }

  add(other: Decimal): Decimal {
    const [a, b, scale] = this.aligned(other);
    return new Decimal(a + b, scale).normalized();
  }

  sub(other: Decimal): Decimal {
    const [a, b, scale] = this.aligned(other);
    return new Decimal(a - b, scale).normalized();
  }

  mul(other: Decimal): Decimal {
    const product = new Decimal(this.units * other.units, this.scale + other.scale).normalized();
    return product.scale > MAX_SCALE ? product.round(MAX_SCALE, 'half_even') : product;
  }

  /** Division to `scale` decimal places (default 18), rounded by `mode`. */
  div(other: Decimal, scale = 18, mode: RoundingMode = 'half_even'): Decimal {
    if (other.units === 0n) throw new RangeError(`division of ${this.toString()} by zero`);
    // this/other = (a*10^-sa)/(b*10^-sb); we want q*10^-scale.
    const numerator = this.units * pow10(scale + other.scale);
    const denominator = other.units * pow10(this.scale);
    return new Decimal(divRound(numerator, denominator, mode), scale).normalized();
  }

  neg(): Decimal {
    return new Decimal(-this.units, this.scale);
  }

  abs(): Decimal {
    return this.units < 0n ? this.neg() : this;
  }

  /** Rounds to `scale` decimal places. */
  round(scale: number, mode: RoundingMode): Decimal {
    if (scale >= this.scale) return this;
    return new Decimal(divRound(this.units, pow10(this.scale - scale), mode), scale).normalized();
  }

  /** Rounds to a whole multiple of `step` (a tick or lot size). */
  quantize(step: Decimal, mode: RoundingMode): Decimal {
    if (step.units <= 0n) throw new RangeError(`step must be positive, got ${step.toString()}`);
    const [a, s] = this.aligned(step);
    // q steps are q * step.units at the step's own scale: smaller than at the aligned scale, so
    // normalizing the result (a 1e-18-scale volume onto a lot of 0.0001) has few zeros to strip.
    return new Decimal(divRound(a, s, mode) * step.units, step.scale).normalized();
  }

  /** True when this is a whole multiple of `step`. */
  isMultipleOf(step: Decimal): boolean {
    const [a, s] = this.aligned(step);
    return s !== 0n && a % s === 0n;
  }

  compare(other: Decimal): -1 | 0 | 1 {
    // No tuple for the comparisons guards and exits make on every bar.
    const a = other.scale > this.scale ? this.units * pow10(other.scale - this.scale) : this.units;
    const b = this.scale > other.scale ? other.units * pow10(this.scale - other.scale) : other.units;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  eq(other: Decimal): boolean {
    return this.compare(other) === 0;
  }
  lt(other: Decimal): boolean {
    return this.compare(other) < 0;
  }
  lte(other: Decimal): boolean {
    return this.compare(other) <= 0;
  }
  gt(other: Decimal): boolean {
    return this.compare(other) > 0;
  }
  gte(other: Decimal): boolean {
    return this.compare(other) >= 0;
  }
  isZero(): boolean {
    return this.units === 0n;
  }
  isNegative(): boolean {
    return this.units < 0n;
  }
  isPositive(): boolean {
    return this.units > 0n;
  }

  static min(a: Decimal, b: Decimal): Decimal {
    return a.lte(b) ? a : b;
  }
  static max(a: Decimal, b: Decimal): Decimal {
    return a.gte(b) ? a : b;
  }

  /** Plain decimal text without exponent, e.g. `0.00162008`; also a valid JSON number. */
  toString(): string {
    const negative = this.units < 0n;
    const digits = (negative ? -this.units : this.units).toString();
    if (this.scale === 0) return (negative ? '-' : '') + digits;
    const padded = digits.padStart(this.scale + 1, '0');
    const cut = padded.length - this.scale;
    return `${negative ? '-' : ''}${padded.slice(0, cut)}.${padded.slice(cut)}`;
  }

  /** Text with exactly `places` decimals (rounded half-even), for display. */
  toFixed(places: number): string {
    const r = this.round(places, 'half_even');
    const s = Decimal.ofUnits(r.units * pow10(places - Math.min(places, r.scale)), places);
    return s.toString();
  }

  /** For display and metrics only: never feed the result back into money arithmetic. */
  toNumber(): number {
    // Both operands exact doubles, so the quotient is the correctly rounded value: what parsing the text gives.
    if (this.scale <= 22 && this.units <= SAFE && this.units >= -SAFE) return Number(this.units) / (EXACT_POWERS_OF_TEN[this.scale] ?? Number.NaN);
    return Number(this.toString());
  }

  toJSON(): string {
    return this.toString();
  }
}

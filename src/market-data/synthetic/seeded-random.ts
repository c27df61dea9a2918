/** FNV-1a of a string: turns a symbol into seed material. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * A small seeded generator (sfc32, seeded through splitmix32): the same seed and stream name give
 * the same numbers on every machine, which is what makes a synthetic session reproducible.
 * Math.random cannot be seeded, so it never appears in the feed.
 */
export class SeededRandom {
  /**
   * sfc32's a, b, c, d. In a Uint32Array, not four number fields: half the words do not fit a small
   * integer, so as fields every step boxed them and next() took ten times as long, which made the
   * years-long runs that show a synthetic market stays plausible too slow to test. Stores wrap
   * modulo 2^32, the `>>> 0` of the arithmetic below.
   */
  private readonly state = new Uint32Array(4);
  private spareNormal = Number.NaN;

  constructor(seed: number, stream = '') {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
    const mix = splitmix32((seed ^ fnv1a(stream)) + Math.floor(seed / 2 ** 32));
    for (let i = 0; i < 4; i++) this.state[i] = mix();
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    const s = this.state;
    const a = s[0] ?? 0;
    const b = s[1] ?? 0;
    const c = s[2] ?? 0;
    const d = s[3] ?? 0;
    // Below 2^34, so exact as a double before the wrap.
    const t = (a + b + d) >>> 0;
    s[0] = b ^ (b >>> 9);
    s[1] = c + (c << 3);
    s[2] = ((c << 21) | (c >>> 11)) + t;
    s[3] = d + 1;
    return t / 4294967296;
  }

  /** Standard normal (Box-Muller, the second value kept for the next call). */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const spare = this.spareNormal;
      this.spareNormal = Number.NaN;
      return spare;
    }
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

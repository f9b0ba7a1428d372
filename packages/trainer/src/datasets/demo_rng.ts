/**
 * The demo set's PRNG: a Weyl sequence through the murmur3 32-bit finalizer. Small, fast, good
 * enough for pictures, and the same in every JavaScript engine, which the set's bytes depend on:
 * any change to it changes every image (bump DEMO_GENERATOR_VERSION).
 */

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A small seeded PRNG. Exported for tests and tools; not cryptographic. */
export class DemoRng {
  private state: number;
  constructor(...seeds: number[]) {
    let s = 0x2545f491;
    for (const x of seeds) s = fmix32((s ^ (x >>> 0)) + 0x9e3779b9);
    this.state = s;
  }
  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    return fmix32(this.state);
  }
  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }
  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

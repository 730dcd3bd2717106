/**
 * A small seeded random source for the fuzz campaigns: the same seed and case number always
 * give the same case, so any failure is replayed with `npm run fuzz -- --seed S --only KIND:N`.
 */

/** splitmix32: a fast 32-bit generator with good mixing, enough for choosing mutations. */
export class Rng {
  private state: number;

  /** @param seed the campaign's seed; @param stream the case number (each case has its own stream) */
  constructor(seed: number, stream = 0) {
    this.state = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(stream | 0, 0x85ebca6b) ^ 0x2545f491) | 0;
  }

  /** the next 32 random bits, as a number in [0, 2^32) */
  next(): number {
    this.state = (this.state + 0x9e3779b9) | 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  }

  /** a whole number in [0, n) */
  int(n: number): number {
    return n <= 1 ? 0 : this.next() % n;
  }

  /** a whole number in [lo, hi] */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** true with probability p */
  chance(p: number): boolean {
    return this.next() / 2 ** 32 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

// A small deterministic pseudo-random generator (xorshift32 seeded through splitmix-style mixing), so the
// differential and fuzz tests see the same inputs on every run.
export class Prng {
  #state: number;

  constructor(seed: number) {
    let s = (seed ^ 0x9e3779b9) >>> 0;
    s = Math.imul(s ^ (s >>> 16), 0x85ebca6b) >>> 0;
    s = Math.imul(s ^ (s >>> 13), 0xc2b2ae35) >>> 0;
    this.#state = (s ^ (s >>> 16)) >>> 0 || 1;
  }

  /** Uniform 32-bit unsigned integer. */
  next(): number {
    let x = this.#state;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.#state = x;
    return x;
  }

  /** Integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor((this.next() / 0x1_0000_0000) * (max - min + 1));
  }

  bool(p = 0.5): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)] as T;
  }

  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }

  /** Splits `bytes` into random chunks of 1..maxChunk bytes (views). */
  chunks(bytes: Buffer, maxChunk: number): Buffer[] {
    const out: Buffer[] = [];
    for (let i = 0; i < bytes.length;) {
      const n = this.int(1, maxChunk);
      out.push(bytes.subarray(i, i + n));
      i += n;
    }
    return out;
  }
}

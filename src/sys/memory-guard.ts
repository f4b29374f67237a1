import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * memory_limit (mosquitto.conf(5)): the bytes the broker may hold. Like mosquitto, which counts its heap
 * allocations, the measure is live data, not resident memory: the V8 heap in use plus the memory of Buffers
 * (process.memoryUsage(): heapUsed + external), plus what the process held besides them when the guard was made
 * (code, stacks, the V8 heap's spare room: resident memory at start minus live data at start), so the limit is
 * comparable to resident memory. Resident memory itself is not the measure: it also counts pages the allocator
 * keeps after data is freed, and refusing on it would go on refusing long after the data is gone.
 *
 * Reading process.memoryUsage() takes microseconds, so it is read only when the payload bytes admitted since the
 * last reading reach a slice of the limit, or when the estimate (last reading + admitted since) would pass the
 * limit. Admitted bytes count twice: a payload may be copied once more when a session keeps it.
 *
 * PUBLISH packets are refused from 7/8 of the limit on: packets being read meanwhile, and refused payloads not
 * yet collected, take memory too (a 10 MiB flood passed a 320 MiB limit by 21 MiB when refusing only at the limit).
 */
export class MemoryGuard {
  readonly limit: number;
  /** Where PUBLISH refusals start. */
  readonly #publishLimit: number;
  readonly #slice: number;
  readonly #read: () => number;
  readonly #base: number;
  #used = 0;
  #since = 0;
  #collectedAt = 0;
  readonly #collect: () => void;

  constructor(limit: number, read: () => number = liveBytes, collect: () => void = collector()) {
    this.#collect = collect;
    this.limit = limit;
    this.#publishLimit = limit - Math.floor(limit / 8);
    this.#slice = Math.max(64 * 1024, Math.min(1024 * 1024, Math.floor(limit / 64)));
    this.#read = read;
    const live = read();
    this.#base = read === liveBytes ? Math.max(0, process.memoryUsage.rss() - live) : 0;
    this.#used = live + this.#base;
  }

  /** Bytes in use at the last reading. */
  get used(): number {
    return this.#used;
  }

  /** True when taking `bytes` more would pass the limit; otherwise they are counted as taken. */
  refuses(bytes: number): boolean {
    const more = bytes * 2;
    const limit = this.#publishLimit;
    if (this.#since + more >= this.#slice || this.#used + this.#since + more > limit) {
      this.#measure();
      if (this.#used + more > limit) return true;
    }
    this.#since += more;
    return false;
  }

  /** True while the memory in use is at or past the limit (read now): new connections are refused. */
  get full(): boolean {
    this.#measure();
    return this.#used >= this.limit;
  }

  /**
   * Reads the memory in use. Near the limit, garbage is collected first (at most once a second): freed Buffers
   * (a subscriber's queue after it left) count as live until a collection, and only allocation triggers one, so
   * without this a broker that refuses everything would never see its memory come back.
   */
  #measure(): void {
    this.#since = 0;
    this.#used = this.#read() + this.#base;
    const now = Date.now();
    if (this.#used > this.#publishLimit && now - this.#collectedAt >= 1000) {
      this.#collectedAt = now;
      this.#collect();
      this.#used = this.#read() + this.#base;
    }
  }
}

/** A full garbage collection, without starting Node with --expose-gc. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => gc();
}

function liveBytes(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

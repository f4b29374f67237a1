// mosquitto's $SYS/broker/load/... figures: per-minute rates smoothed like Unix load averages over 1, 5 and 15
// minutes. Each update turns the counter's growth since the last one into a per-minute rate and moves the
// average towards it by 1 - e^(-elapsed/window).
const WINDOWS = [
  ['1min', 60],
  ['5min', 300],
  ['15min', 900],
] as const;

export class LoadAverages {
  readonly #last = new Map<string, number>();
  readonly #loads = new Map<string, number>();
  #lastAt: number | undefined;

  /** Feeds the current counters (name → running total); returns `name/1min` … `name/15min` → value. */
  update(totals: ReadonlyMap<string, number>, now = Date.now()): Map<string, string> {
    const out = new Map<string, string>();
    const elapsed = this.#lastAt === undefined ? 0 : (now - this.#lastAt) / 1000;
    this.#lastAt = now;
    for (const [name, total] of totals) {
      const previous = this.#last.get(name);
      this.#last.set(name, total);
      if (previous === undefined || elapsed <= 0) {
        for (const [label] of WINDOWS)
          out.set(`${name}/${label}`, (this.#loads.get(`${name}/${label}`) ?? 0).toFixed(2));
        continue;
      }
      const perMinute = ((total - previous) * 60) / elapsed;
      for (const [label, window] of WINDOWS) {
        const key = `${name}/${label}`;
        const load = this.#loads.get(key) ?? 0;
        const next = perMinute + Math.exp(-elapsed / window) * (load - perMinute);
        this.#loads.set(key, next);
        out.set(key, next.toFixed(2));
      }
    }
    return out;
  }
}

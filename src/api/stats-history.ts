// The last 15 minutes of the broker's counters, one sample a second, for the console's live charts. Sampling
// starts with the first request for it, so an API nobody looks at costs nothing; one sample is a small object
// read from plain counters (no walk over clients or sessions).
import type { Broker, StatsSnapshot } from '../index.js';

export const HISTORY_SECONDS = 15 * 60;

export class StatsHistory {
  readonly #broker: Broker;
  readonly #samples: StatsSnapshot[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(broker: Broker) {
    this.#broker = broker;
  }

  /** Samples since `after` (Unix ms), oldest first; starts sampling if it had not yet. */
  since(after = 0): StatsSnapshot[] {
    if (this.#timer === undefined) {
      this.#sample();
      this.#timer = setInterval(() => this.#sample(), 1000);
      this.#timer.unref();
    }
    const samples = this.#samples;
    let first = samples.length;
    while (first > 0 && (samples[first - 1] as StatsSnapshot).time > after) first--;
    return samples.slice(first);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #sample(): void {
    this.#samples.push(this.#broker.control.stats());
    if (this.#samples.length > HISTORY_SECONDS) this.#samples.shift();
  }
}

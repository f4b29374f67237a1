/**
 * How long publishers wait at most for a subscriber whose queue does not shorten. Past it the subscriber counts as
 * stalled: publishers pass (its queue fills and drops as its limits say) until its queue is short again.
 */
const HOLD_LIMIT_MS = 1000;

/**
 * Publishers held back by one subscriber's long queue. A publisher acknowledged at once while the subscriber can
 * only take its in-flight window per round trip would fill the queue without bound; holding the publisher (its
 * client stops reading, TCP pushes back) keeps the queue short, so the broker does not spend its CPU on messages
 * that wait, get copied, age into the old generation and are finally dropped.
 */
export class PublisherHold {
  #waiters: (() => void)[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** The last hold ran out before the queue shortened. */
  stalled = false;

  get waiting(): boolean {
    return this.#waiters.length > 0;
  }

  /** Settles when release() runs, or after HOLD_LIMIT_MS at the latest. */
  wait(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      if (this.#timer === undefined) {
        this.#timer = setTimeout(this.#expire, HOLD_LIMIT_MS);
        this.#timer.unref();
      }
    });
  }

  /** Lets every held publisher go on; `caughtUp` ends a stall. */
  release(caughtUp: boolean): void {
    if (caughtUp) this.stalled = false;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const waiters = this.#waiters;
    if (waiters.length === 0) return;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }

  readonly #expire = (): void => {
    this.#timer = undefined;
    this.stalled = true;
    this.release(false);
  };
}

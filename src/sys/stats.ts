import type { DropReason } from '../hooks/types.js';

/** Upper bounds (seconds) of the publish latency histogram buckets; the last bucket is +Inf. */
export const LATENCY_BOUNDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1] as const;
/** Upper bounds (seconds) of the store commit duration histogram. */
export const COMMIT_BOUNDS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1] as const;
/** Upper bounds of the store commit size histogram (writes per commit). */
export const COMMIT_WRITES_BOUNDS = [1, 4, 16, 64, 256, 1024, 4096] as const;
/** One client PUBLISH in this many is timed for the latency histogram (any QoS). */
export const LATENCY_SAMPLE_EVERY = 16;

/** A Prometheus histogram counted in fixed buckets: plain numbers, no allocation per observation. */
export class Histogram {
  /** Counts per bound (+Inf last), not cumulative. */
  readonly buckets: number[];
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.buckets = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    this.buckets[i] = (this.buckets[i] as number) + 1;
    this.sum += value;
    this.count++;
  }
}

/** Counters the engine bumps and $SYS and /metrics read. One instance per broker: no globals. */
export class BrokerStats {
  readonly startedAt = Date.now();
  messagesReceived = 0;
  messagesSent = 0;
  publishReceived = 0;
  publishSent = 0;
  publishDropped = 0;
  bytesReceived = 0;
  bytesSent = 0;
  /** PUBLISH payload bytes in and out ($SYS/broker/publish/bytes/...). */
  publishBytesReceived = 0;
  publishBytesSent = 0;
  clientsConnected = 0;
  clientsMaximum = 0;
  connectionsTotal = 0;
  /** Sessions ended by their expiry interval ($SYS/broker/clients/expired). */
  clientsExpired = 0;
  /** PUBLISH packets in and out by QoS. */
  readonly receivedByQos: [number, number, number] = [0, 0, 0];
  readonly sentByQos: [number, number, number] = [0, 0, 0];
  /** Messages dropped, by reason (queue_full, congested, too_large, not_authorized, envelope, ...). */
  readonly droppedByReason = new Map<string, number>();
  /** Authentication and ACL answers: key `provider\u0000check\u0000decision`. */
  readonly authDecisions = new Map<string, number>();

  /** Time to hand a PUBLISH to every matching subscriber's connection or queue, in seconds. */
  readonly latency = new Histogram(LATENCY_BOUNDS);
  /** Counts down to the next client PUBLISH that is timed. */
  #untilSample = 1;
  /** Persistence: how long each commit took (seconds) and how many writes it carried. */
  readonly commitSeconds = new Histogram(COMMIT_BOUNDS);
  readonly commitWrites = new Histogram(COMMIT_WRITES_BOUNDS);

  /** True for one call in LATENCY_SAMPLE_EVERY: the rest of the PUBLISH packets pay a countdown only. */
  sampleLatency(): boolean {
    if (--this.#untilSample > 0) return false;
    this.#untilSample = LATENCY_SAMPLE_EVERY;
    return true;
  }

  observeLatency(seconds: number): void {
    this.latency.observe(seconds);
  }

  observeCommit(seconds: number, writes: number): void {
    this.commitSeconds.observe(seconds);
    this.commitWrites.observe(writes);
  }

  /** Further counters by metric name and reason (envelope rejections, webhook failures). */
  readonly extra = new Map<string, { help: string; byReason: Map<string, number> }>();

  count(name: string, help: string, reason: string): void {
    let entry = this.extra.get(name);
    if (entry === undefined) this.extra.set(name, (entry = { help, byReason: new Map() }));
    entry.byReason.set(reason, (entry.byReason.get(reason) ?? 0) + 1);
  }

  connected(): void {
    this.clientsConnected++;
    if (this.clientsConnected > this.clientsMaximum) this.clientsMaximum = this.clientsConnected;
  }

  disconnected(): void {
    this.clientsConnected--;
  }

  drop(reason: DropReason): void {
    this.publishDropped++;
    this.droppedByReason.set(reason, (this.droppedByReason.get(reason) ?? 0) + 1);
  }

  authDecision(provider: string, check: string, decision: string): void {
    const key = `${provider}\u0000${check}\u0000${decision}`;
    this.authDecisions.set(key, (this.authDecisions.get(key) ?? 0) + 1);
  }

  get uptimeSeconds(): number {
    return Math.floor((Date.now() - this.startedAt) / 1000);
  }
}

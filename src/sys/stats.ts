/** Upper bounds (seconds) of the publish latency histogram buckets; the last bucket is +Inf. */
export const LATENCY_BOUNDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1] as const;

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

  /** Publish latency: counts per LATENCY_BOUNDS bucket (+Inf last), their sum and count. */
  readonly latencyBuckets: number[] = new Array<number>(LATENCY_BOUNDS.length + 1).fill(0);
  latencySum = 0;
  latencyCount = 0;

  observeLatency(seconds: number): void {
    let i = 0;
    while (i < LATENCY_BOUNDS.length && seconds > (LATENCY_BOUNDS[i] as number)) i++;
    this.latencyBuckets[i] = (this.latencyBuckets[i] as number) + 1;
    this.latencySum += seconds;
    this.latencyCount++;
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

  drop(reason: string): void {
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

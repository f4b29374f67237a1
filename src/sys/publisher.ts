import type { Message } from '../router/types.js';
import type { BrokerStats } from './stats.js';
import { LoadAverages } from './load.js';

/** What the sessions hold now, summed (messages/inflight, messages/stored, store/messages/...). */
export interface SessionTotals {
  inflight: number;
  queued: number;
  queuedBytes: number;
}

export interface SysSources {
  stats: BrokerStats;
  version: string;
  /** Sessions the broker holds, connected or not. */
  sessionCount(): number;
  subscriptionCount(): number;
  retainedCount(): number;
  /** Payload bytes of the retained messages. */
  retainedBytes(): number;
  sessionTotals(): SessionTotals;
  /** Sessions ended by their expiry interval. */
  expiredCount(): number;
  publish(message: Message): void;
}

/**
 * mosquitto's $SYS/broker tree: retained QoS 0 messages every `sys_interval` seconds, each topic only when
 * its value changed, so a subscriber to $SYS/# sees the current figures at once and then the changes.
 */
export class SysPublisher {
  readonly #sources: SysSources;
  readonly #last = new Map<string, string>();
  readonly #load = new LoadAverages();
  #heapMaximum = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(sources: SysSources) {
    this.#sources = sources;
  }

  start(intervalSeconds: number): void {
    this.#emit('$SYS/broker/version', `midge version ${this.#sources.version}`);
    this.#emit('$SYS/broker/timestamp', new Date(this.#sources.stats.startedAt).toISOString());
    if (intervalSeconds <= 0) return;
    this.publishNow();
    this.#timer = setInterval(() => this.publishNow(), intervalSeconds * 1000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  publishNow(): void {
    const s = this.#sources;
    const { stats } = s;
    const total = s.sessionCount();
    const figures: [string, number | string][] = [
      ['uptime', `${stats.uptimeSeconds} seconds`],
      ['clients/connected', stats.clientsConnected],
      ['clients/active', stats.clientsConnected],
      ['clients/total', total],
      ['clients/disconnected', Math.max(0, total - stats.clientsConnected)],
      ['clients/inactive', Math.max(0, total - stats.clientsConnected)],
      ['clients/maximum', stats.clientsMaximum],
      ['messages/received', stats.messagesReceived],
      ['messages/sent', stats.messagesSent],
      ['publish/messages/received', stats.publishReceived],
      ['publish/messages/sent', stats.publishSent],
      ['publish/messages/dropped', stats.publishDropped],
      ['bytes/received', stats.bytesReceived],
      ['bytes/sent', stats.bytesSent],
      ['subscriptions/count', s.subscriptionCount()],
      ['retained messages/count', s.retainedCount()],
      ...this.#extended(),
    ];
    for (const [name, value] of figures) this.#emit(`$SYS/broker/${name}`, String(value));
    for (const [name, value] of this.#loads()) this.#emit(`$SYS/broker/load/${name}`, value);
  }

  /** The rest of mosquitto's tree: expiry, in-flight and stored messages, publish bytes, heap. */
  #extended(): [string, number | string][] {
    const s = this.#sources;
    const { stats } = s;
    const totals = s.sessionTotals();
    const heap = process.memoryUsage().heapUsed;
    if (heap > this.#heapMaximum) this.#heapMaximum = heap;
    const storedCount = totals.queued + s.retainedCount();
    return [
      ['clients/expired', s.expiredCount()],
      ['messages/inflight', totals.inflight],
      ['messages/stored', storedCount],
      ['store/messages/count', storedCount],
      ['store/messages/bytes', totals.queuedBytes + s.retainedBytes()],
      ['publish/bytes/received', stats.publishBytesReceived],
      ['publish/bytes/sent', stats.publishBytesSent],
      ['heap/current', heap],
      ['heap/maximum', this.#heapMaximum],
    ];
  }

  /** $SYS/broker/load/{messages,bytes,publish}/..., connections and sockets: 1, 5 and 15 minute averages. */
  #loads(): Map<string, string> {
    const { stats } = this.#sources;
    return this.#load.update(
      new Map([
        ['messages/received', stats.messagesReceived],
        ['messages/sent', stats.messagesSent],
        ['bytes/received', stats.bytesReceived],
        ['bytes/sent', stats.bytesSent],
        ['publish/received', stats.publishReceived],
        ['publish/sent', stats.publishSent],
        ['publish/dropped', stats.publishDropped],
        ['connections', stats.connectionsTotal],
        ['sockets', stats.connectionsTotal],
      ]),
    );
  }

  #emit(topic: string, value: string): void {
    if (this.#last.get(topic) === value) return;
    this.#last.set(topic, value);
    this.#sources.publish({
      topic,
      payload: Buffer.from(value),
      qos: 0,
      retain: true,
      receivedAt: Date.now(),
    });
  }
}

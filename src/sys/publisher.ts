import type { Message } from '../router/types.js';
import type { BrokerStats } from './stats.js';

export interface SysSources {
  stats: BrokerStats;
  version: string;
  /** Sessions the broker holds, connected or not. */
  sessionCount(): number;
  subscriptionCount(): number;
  retainedCount(): number;
  publish(message: Message): void;
}

/**
 * mosquitto's $SYS/broker tree: retained QoS 0 messages every `sys_interval` seconds, each topic only when
 * its value changed, so a subscriber to $SYS/# sees the current figures at once and then the changes.
 */
export class SysPublisher {
  readonly #sources: SysSources;
  readonly #last = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;

  constructor(sources: SysSources) {
    this.#sources = sources;
  }

  start(intervalSeconds: number): void {
    this.#emit('$SYS/broker/version', `midge version ${this.#sources.version}`);
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
    ];
    for (const [name, value] of figures) this.#emit(`$SYS/broker/${name}`, String(value));
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

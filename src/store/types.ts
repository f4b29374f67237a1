// The storage seams. Every method settles only once the write is as durable as the backend makes it.
import type { Message } from '../router/types.js';

/** Stored retained messages. */
export interface RetainedStore {
  /** A null message clears the topic [MQTT-3.3.1-10]. */
  set(topic: string, message: Message | null): void;
  /** Every retained message whose topic matches the filter, with the $-topic rule of [MQTT-4.7.2-1]. */
  match(filter: string): Message[];
  readonly size: number;
}

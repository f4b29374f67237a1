import { deserialize, serialize } from 'node:v8';
import type { Properties, QoS } from '../../protocol/types.js';
import type { Message } from '../../router/types.js';

/** v8 serialization keeps Buffers and nested arrays; undefined becomes NULL. */
export function pack(value: unknown): Buffer | null {
  return value === undefined ? null : serialize(value);
}

export function unpack<T>(value: Buffer | null): T | undefined {
  return value === null ? undefined : (deserialize(value) as T);
}

/** Epoch ms at which a message expires [MQTT-3.3.2-5]; null without a Message Expiry Interval. */
export function expiresAt(message: Message): number | null {
  const interval = message.properties?.messageExpiryInterval;
  return interval === undefined ? null : message.receivedAt + interval * 1000;
}

/** The columns messages and retained rows share. */
export interface MessageRow {
  topic: string;
  payload: Buffer;
  qos: number;
  retain?: number;
  properties: Buffer | null;
  origin: string | null;
  received_at: number;
}

export function rowToMessage(row: MessageRow, retain: boolean): Message {
  const message: Message = {
    topic: row.topic,
    payload: row.payload,
    qos: row.qos as QoS,
    retain,
    properties: unpack<Properties>(row.properties),
    receivedAt: row.received_at,
  };
  if (row.origin !== null) return { ...message, origin: row.origin };
  return message;
}

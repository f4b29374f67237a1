// The bytes of one inter-node stream entry: a batch of records a node writes to another node's stream with
// one XADD. Pure: no Redis here. Properties use the MQTT 5 PUBLISH property encoding, so whatever a client
// may send survives the hop unchanged.
import { Reader, Writer } from '../protocol/primitives.js';
import { WILL, propertiesSize, readProperties, writeProperties } from '../protocol/properties.js';
import type { QoS, Will } from '../protocol/types.js';
import type { Message } from '../router/types.js';
import type { MovedSession } from './types.js';

const PUBLISH = 3;
const FORMAT = 1;

export const enum RecordKind {
  Message = 1,
  /** A client id was claimed elsewhere: close the connection holding this token. */
  TakeOver = 2,
  /** The answer to a TakeOver that asked for the session. */
  Session = 3,
}

export type StreamRecord =
  | { kind: RecordKind.Message; message: Message; normal: boolean; groups: string[] }
  | { kind: RecordKind.TakeOver; clientId: string; token: string; replyTo: string; wantSession: boolean }
  | { kind: RecordKind.Session; clientId: string; session: MovedSession | undefined };

/** A batch as read: who wrote it (the writer's process instance) and its sequence number towards us. */
export interface Batch {
  instance: string;
  seq: number;
  records: StreamRecord[];
}

function strSize(s: string): number {
  return 2 + Buffer.byteLength(s);
}

/** Encodes one message record; the result is reused for every node the message goes to. */
export function encodeMessage(
  message: Message,
  normal: boolean,
  groups: readonly string[],
  code = PUBLISH,
): Buffer {
  const props = message.properties;
  let size = 1 + 1 + strSize(message.topic) + 4 + message.payload.length + strSize(message.origin ?? '');
  size += 8 + propertiesSize(props, code) + 1;
  for (const group of groups) size += strSize(group);
  const w = new Writer(Buffer.allocUnsafe(size));
  w.u8(RecordKind.Message);
  w.u8(message.qos | (message.retain ? 4 : 0) | (normal ? 8 : 0) | (message.origin === undefined ? 0 : 16));
  w.utf8(message.topic);
  w.u32(message.payload.length);
  w.bytes(message.payload);
  w.utf8(message.origin ?? '');
  w.pos = w.buf.writeDoubleBE(message.receivedAt, w.pos);
  writeProperties(w, props, code);
  w.u8(groups.length);
  for (const group of groups) w.utf8(group);
  return w.buf;
}

export function encodeTakeOver(
  clientId: string,
  token: string,
  replyTo: string,
  wantSession: boolean,
): Buffer {
  const w = new Writer(Buffer.allocUnsafe(1 + strSize(clientId) + strSize(token) + strSize(replyTo) + 1));
  w.u8(RecordKind.TakeOver);
  w.utf8(clientId);
  w.utf8(token);
  w.utf8(replyTo);
  w.u8(wantSession ? 1 : 0);
  return w.buf;
}

export function encodeSession(clientId: string, session: MovedSession | undefined): Buffer {
  const json = Buffer.from(JSON.stringify(session ?? null));
  const w = new Writer(Buffer.allocUnsafe(1 + strSize(clientId) + 4 + json.length));
  w.u8(RecordKind.Session);
  w.utf8(clientId);
  w.u32(json.length);
  w.bytes(json);
  return w.buf;
}

/** One stream entry: a header naming the writer and its sequence, then the records back to back. */
export function encodeBatch(instance: string, seq: number, records: readonly Buffer[]): Buffer {
  const header = Buffer.allocUnsafe(1 + strSize(instance) + 8);
  const w = new Writer(header);
  w.u8(FORMAT);
  w.utf8(instance);
  w.pos = header.writeDoubleBE(seq, w.pos);
  return Buffer.concat([header, ...records]);
}

export function decodeBatch(buf: Buffer): Batch {
  const r = new Reader(buf, 0, buf.length, 5);
  if (r.u8() !== FORMAT) throw new Error('MIDGE_CLUSTER_WIRE: unknown batch format (a newer node?)');
  const instance = r.utf8();
  const seq = buf.readDoubleBE(r.pos);
  r.pos += 8;
  const records: StreamRecord[] = [];
  while (r.pos < r.end) records.push(readRecord(r, buf));
  return { instance, seq, records };
}

function readRecord(r: Reader, buf: Buffer, code = PUBLISH): StreamRecord {
  const kind = r.u8();
  if (kind === RecordKind.Message) {
    const flags = r.u8();
    const topic = r.utf8();
    const length = r.u32();
    const payload = buf.subarray(r.pos, r.pos + length);
    r.pos += length;
    const origin = r.utf8();
    const receivedAt = buf.readDoubleBE(r.pos);
    r.pos += 8;
    const properties = readProperties(r, code);
    const count = r.u8();
    const groups: string[] = [];
    for (let i = 0; i < count; i++) groups.push(r.utf8());
    const message: Message = {
      topic,
      payload,
      qos: (flags & 3) as QoS,
      retain: (flags & 4) !== 0,
      properties,
      origin: (flags & 16) !== 0 ? origin : undefined,
      receivedAt,
    };
    return { kind, message, normal: (flags & 8) !== 0, groups };
  }
  if (kind === RecordKind.TakeOver) {
    const clientId = r.utf8();
    const token = r.utf8();
    const replyTo = r.utf8();
    return { kind, clientId, token, replyTo, wantSession: r.u8() === 1 };
  }
  if (kind === RecordKind.Session) {
    const clientId = r.utf8();
    const length = r.u32();
    const json = buf.toString('utf8', r.pos, r.pos + length);
    r.pos += length;
    return { kind, clientId, session: (JSON.parse(json) as MovedSession | null) ?? undefined };
  }
  throw new Error(`MIDGE_CLUSTER_WIRE: unknown record kind ${kind}`);
}

/** A message encoded alone with encodeMessage (the retained snapshot in Redis). */
export function decodeMessage(buf: Buffer): Message {
  const r = new Reader(buf, 0, buf.length, 5);
  const record = readRecord(r, buf);
  if (record.kind !== RecordKind.Message) throw new Error('MIDGE_CLUSTER_WIRE: not a message');
  return { ...record.message, payload: Buffer.from(record.message.payload) };
}

/** A will kept in Redis for other nodes (Will Properties, so its delay travels with it). */
export function encodeWill(will: Will): Buffer {
  const message: Message = { ...will, receivedAt: 0 };
  return encodeMessage(message, true, [], WILL);
}

export function decodeWill(buf: Buffer): Will {
  const r = new Reader(buf, 0, buf.length, 5);
  const record = readRecord(r, buf, WILL);
  if (record.kind !== RecordKind.Message) throw new Error('MIDGE_CLUSTER_WIRE: not a will');
  const { topic, payload, qos, retain, properties } = record.message;
  return { topic, payload: Buffer.from(payload), qos, retain, properties };
}

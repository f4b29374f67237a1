// MQTT 3.1.1 packets as raw bytes for the load generator: everything a generator sends is encoded here once,
// and the stream reader only looks at fixed headers and packet ids, so the generator stays cheap per message.

function remainingLength(n) {
  const out = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}

function str(s) {
  const bytes = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

function frame(firstByte, body) {
  return Buffer.concat([Buffer.from([firstByte]), remainingLength(body.length), body]);
}

/** CONNECT, MQTT 3.1.1 (or 5 when version is 5), clean session. keepalive 0 keeps idle connections quiet. */
export function connectPacket(clientId, keepalive = 0, version = 4, clean = true) {
  const flags = clean ? 0x02 : 0x00;
  const header = Buffer.concat([
    str('MQTT'),
    Buffer.from([version, flags, keepalive >> 8, keepalive & 0xff]),
  ]);
  const props = version === 5 ? Buffer.from([0]) : Buffer.alloc(0);
  return frame(0x10, Buffer.concat([header, props, str(clientId)]));
}

export function subscribePacket(packetId, filter, qos, version = 4) {
  const id = Buffer.from([packetId >> 8, packetId & 0xff]);
  const props = version === 5 ? Buffer.from([0]) : Buffer.alloc(0);
  return frame(0x82, Buffer.concat([id, props, str(filter), Buffer.from([qos])]));
}

/** One PUBLISH; for QoS > 0 the packet id sits at `idOffset` so copies can be patched. */
export function publishPacket(topic, payload, qos, packetId = 1) {
  const id = qos > 0 ? Buffer.from([packetId >> 8, packetId & 0xff]) : Buffer.alloc(0);
  const bytes = frame(0x30 | (qos << 1), Buffer.concat([str(topic), id, payload]));
  const headerLength = bytes.length - (2 + Buffer.byteLength(topic) + id.length + payload.length);
  return { bytes, idOffset: qos > 0 ? headerLength + 2 + Buffer.byteLength(topic) : -1 };
}

/** `count` copies of one QoS 0 PUBLISH back to back: one write sends a whole batch. */
export function publishBatch(topic, payload, count) {
  const one = publishPacket(topic, payload, 0).bytes;
  const out = Buffer.allocUnsafe(one.length * count);
  for (let i = 0; i < count; i++) one.copy(out, i * one.length);
  return { bytes: out, frameLength: one.length };
}

export const PUBACK = 0x40;
export const PUBREC = 0x50;
export const PUBREL = 0x62;
export const PUBCOMP = 0x70;
export const DISCONNECT = Buffer.from([0xe0, 0x00]);

/**
 * Splits a byte stream into packets and calls `onPacket(type, flags, buf, bodyStart, bodyEnd, frameStart)` for each.
 * Keeps a partial tail between chunks; allocates only when a packet straddles two chunks.
 */
export class PacketReader {
  #tail = undefined;

  constructor(onPacket) {
    this.onPacket = onPacket;
  }

  push(chunk) {
    let buf = chunk;
    if (this.#tail !== undefined) {
      buf = Buffer.concat([this.#tail, chunk]);
      this.#tail = undefined;
    }
    const end = buf.length;
    let pos = 0;
    while (pos < end) {
      if (end - pos < 2) break;
      let length = 0;
      let multiplier = 1;
      let i = pos + 1;
      let complete = false;
      while (i < end && i < pos + 5) {
        const byte = buf[i++];
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete || i + length > end) break;
      const first = buf[pos];
      this.onPacket(first >> 4, first & 0x0f, buf, i, i + length, pos);
      pos = i + length;
    }
    if (pos < end) this.#tail = Buffer.from(buf.subarray(pos));
  }
}

/** The packet id of a PUBLISH body (QoS > 0) as seen by a subscriber. */
export function publishPacketId(buf, bodyStart) {
  const topicLength = buf.readUInt16BE(bodyStart);
  return buf.readUInt16BE(bodyStart + 2 + topicLength);
}

/** Writes a 4 byte ack (PUBACK / PUBREC / PUBREL / PUBCOMP) into `out` at `offset`. */
export function writeAck(out, offset, firstByte, packetId) {
  out[offset] = firstByte;
  out[offset + 1] = 2;
  out[offset + 2] = packetId >> 8;
  out[offset + 3] = packetId & 0xff;
  return offset + 4;
}

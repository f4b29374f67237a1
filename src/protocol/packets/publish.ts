// PUBLISH (3.1.1 section 3.3, 5.0 section 3.3): the hot path. The payload is a view into the received bytes,
// the topic string is reused when the previous PUBLISH had the same topic bytes (Reader.topic), and a QoS 0
// PUBLISH without properties allocates nothing but the packet object.
import { malformed } from '../reason-codes.js';
import { utf8Size } from '../primitives.js';
import type { Reader, Writer } from '../primitives.js';
import { propertiesSize, readProperties, writeProperties } from '../properties.js';
import type { ProtocolVersion, PublishPacket, QoS } from '../types.js';
import { checkPacketId, readNonZeroPacketId } from './common.js';

const CODE = 3;

export function decodePublish(r: Reader, flags: number): PublishPacket {
  const qos = (flags >> 1) & 0x03;
  // [MQTT-3.3.1-4] QoS 3 is malformed.
  if (qos === 3) throw malformed('PUBLISH with QoS 3', 'MQTT-3.3.1-4');
  // [MQTT-3.3.1-2] DUP is 0 on every QoS 0 message; mosquitto closes on it as malformed, for every level.
  if (qos === 0 && (flags & 0x08) !== 0) throw malformed('QoS 0 PUBLISH with DUP set', 'MQTT-3.3.1-2');
  // [MQTT-3.3.2-1] the topic name comes first.
  const topic = r.topic();
  // [MQTT-2.3.1-5] only QoS 1 and 2 carry a packet identifier, and it is non-zero [MQTT-2.3.1-1].
  const packetId = qos > 0 ? readNonZeroPacketId(r, 'PUBLISH') : undefined;
  const properties = r.version === 5 ? readProperties(r, CODE) : undefined;
  const retain = (flags & 0x01) !== 0;
  const dup = (flags & 0x08) !== 0;
  const payload = r.rest();
  // One object literal per case, so each packet gets its final shape at once (no added properties).
  const packet: PublishPacket =
    packetId === undefined
      ? { type: 'publish', topic, payload, qos: 0, retain, dup }
      : { type: 'publish', topic, payload, qos: qos as QoS, retain, dup, packetId };
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

export function publishFlags(p: PublishPacket): number {
  if (p.qos > 2) throw new RangeError('PUBLISH QoS must be 0, 1 or 2');
  return (p.dup ? 0x08 : 0) | (p.qos << 1) | (p.retain ? 0x01 : 0);
}

export function publishLength(p: PublishPacket, version: ProtocolVersion): number {
  return (
    2 +
    utf8Size(p.topic) +
    (p.qos > 0 ? 2 : 0) +
    (version === 5 ? propertiesSize(p.properties, CODE) : 0) +
    p.payload.length
  );
}

/**
 * `placeholderId`: write this id instead of packet.packetId (publish-frame writes 0 and patches it later).
 * `withPayload` false stops before the payload (publish-frame shares a large payload instead of copying it).
 */
export function writePublish(
  w: Writer,
  p: PublishPacket,
  version: ProtocolVersion,
  placeholderId?: number,
  withPayload = true,
): void {
  w.utf8(p.topic);
  if (p.qos > 0) w.u16(placeholderId ?? checkPacketId(p.packetId, 'PUBLISH'));
  if (version === 5) writeProperties(w, p.properties, CODE);
  if (withPayload) w.bytes(p.payload);
}

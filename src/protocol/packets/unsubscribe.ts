// UNSUBSCRIBE (3.1.1 section 3.10, 5.0 section 3.10).
import { protocolError } from '../reason-codes.js';
import { utf8Size } from '../primitives.js';
import type { Reader, Writer } from '../primitives.js';
import { propertiesSize, readProperties, writeProperties } from '../properties.js';
import type { ProtocolVersion, UnsubscribePacket } from '../types.js';
import { checkFlagsFrom311, checkPacketId, readNonZeroPacketId } from './common.js';

const CODE = 10;

export function decodeUnsubscribe(r: Reader, flags: number): UnsubscribePacket {
  // [MQTT-3.10.1-1] UNSUBSCRIBE flags are 0010.
  checkFlagsFrom311(flags, 0b0010, r.version, 'UNSUBSCRIBE', 'MQTT-3.10.1-1');
  const packetId = readNonZeroPacketId(r, 'UNSUBSCRIBE');
  const properties = r.version === 5 ? readProperties(r, CODE) : undefined;
  const topicFilters: string[] = [];
  while (r.remaining > 0) topicFilters.push(r.utf8('a topic filter'));
  // [MQTT-3.10.3-2] at least one topic filter (not a 3.1 rule: mosquitto answers an empty 3.1 UNSUBSCRIBE).
  if (topicFilters.length === 0 && r.version !== 3)
    throw protocolError('UNSUBSCRIBE without any topic filter', 'MQTT-3.10.3-2');
  const packet: UnsubscribePacket = { type: 'unsubscribe', packetId, topicFilters };
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

export function unsubscribeLength(p: UnsubscribePacket, version: ProtocolVersion): number {
  if (p.topicFilters.length === 0 && version !== 3) {
    throw new RangeError('UNSUBSCRIBE needs at least one topic filter');
  }
  let n = 2 + (version === 5 ? propertiesSize(p.properties, CODE) : 0);
  for (const f of p.topicFilters) n += 2 + utf8Size(f);
  return n;
}

export function writeUnsubscribe(w: Writer, p: UnsubscribePacket, version: ProtocolVersion): void {
  w.u16(checkPacketId(p.packetId, 'UNSUBSCRIBE'));
  if (version === 5) writeProperties(w, p.properties, CODE);
  for (const f of p.topicFilters) w.utf8(f);
}

// PUBACK, PUBREC, PUBREL, PUBCOMP (sections 3.4-3.7): a packet identifier and, in 5.0, an optional reason
// code and properties. One implementation; puback.ts ... pubcomp.ts bind it to each packet type.
import type { Reader, Writer } from '../primitives.js';
import { propertiesSize, readProperties, writeProperties } from '../properties.js';
import type { PubAckLikePacket, ProtocolVersion } from '../types.js';
import { isEmpty } from './common.js';

export type AckType = 'puback' | 'pubrec' | 'pubrel' | 'pubcomp';

export function decodeAck<T extends AckType>(r: Reader, type: T, code: number): PubAckLikePacket<T> {
  const packetId = r.u16('the packet identifier');
  const packet: PubAckLikePacket<T> = { type, packetId };
  if (r.version === 5) {
    // 3.4.2.1: the reason code, then the property length, may be left out (Remaining Length 2 or 3).
    if (r.remaining > 0) packet.reasonCode = r.u8('the reason code');
    if (r.remaining > 0) {
      const properties = readProperties(r, code);
      if (properties !== undefined) packet.properties = properties;
    }
  }
  r.done(type.toUpperCase());
  return packet;
}

export function ackLength(p: PubAckLikePacket<AckType>, version: ProtocolVersion, code: number): number {
  if (version !== 5) return 2;
  if (p.properties === undefined || isEmpty(p.properties)) {
    return p.reasonCode === undefined || p.reasonCode === 0 ? 2 : 3;
  }
  return 3 + propertiesSize(p.properties, code);
}

export function writeAck(
  w: Writer,
  p: PubAckLikePacket<AckType>,
  version: ProtocolVersion,
  code: number,
): void {
  w.u16(p.packetId);
  if (version !== 5) return;
  const withProperties = p.properties !== undefined && !isEmpty(p.properties);
  if (withProperties || (p.reasonCode !== undefined && p.reasonCode !== 0)) w.u8(p.reasonCode ?? 0);
  if (withProperties) writeProperties(w, p.properties, code);
}

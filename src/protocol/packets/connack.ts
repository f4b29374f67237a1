// CONNACK (3.1.1 section 3.2, 5.0 section 3.2).
import { malformed } from '../reason-codes.js';
import type { Reader, Writer } from '../primitives.js';
import { propertiesSize, readProperties, writeProperties } from '../properties.js';
import type { ConnackPacket, ProtocolVersion } from '../types.js';
import { checkFlags } from './common.js';

const CODE = 2;

export function decodeConnack(r: Reader, flags: number): ConnackPacket {
  checkFlags(flags, 0, r.version, 'CONNACK');
  const ackFlags = r.u8('the connect acknowledge flags');
  // Bits 7-1 are reserved [MQTT-3.2.2-1] (3.1 called the whole byte reserved, and sent 0).
  if ((ackFlags & 0xfe) !== 0) {
    throw malformed(
      'CONNACK reserved acknowledge flags are set',
      r.version === 5 ? 'MQTT-3.2.2-1' : undefined,
    );
  }
  const reasonCode = r.u8('the connect reason code');
  const packet: ConnackPacket = { type: 'connack', sessionPresent: ackFlags === 1, reasonCode };
  if (r.version === 5) {
    const properties = readProperties(r, CODE);
    if (properties !== undefined) packet.properties = properties;
  }
  r.done('CONNACK');
  return packet;
}

export function connackLength(p: ConnackPacket, version: ProtocolVersion): number {
  return 2 + (version === 5 ? propertiesSize(p.properties, CODE) : 0);
}

export function writeConnack(w: Writer, p: ConnackPacket, version: ProtocolVersion): void {
  w.u8(p.sessionPresent ? 1 : 0);
  w.u8(p.reasonCode);
  if (version === 5) writeProperties(w, p.properties, CODE);
}

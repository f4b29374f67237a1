// SUBACK (3.1.1 section 3.9, 5.0 section 3.9).
import { malformed } from '../reason-codes.js';
import type { Reader, Writer } from '../primitives.js';
import { propertiesSize, readProperties, writeProperties } from '../properties.js';
import type { ProtocolVersion, SubackPacket } from '../types.js';
import { checkFlags } from './common.js';

const CODE = 9;

export function decodeSuback(r: Reader, flags: number): SubackPacket {
  checkFlags(flags, 0, r.version, 'SUBACK');
  const packetId = r.u16('the packet identifier');
  const properties = r.version === 5 ? readProperties(r, CODE) : undefined;
  const reasonCodes: number[] = [];
  while (r.remaining > 0) {
    const code = r.u8('a return code');
    // [MQTT-3.9.3-2] 3.1.1 return codes are 0x00, 0x01, 0x02 or 0x80 only.
    if (r.version !== 5 && code > 2 && code !== 0x80) {
      throw malformed(`SUBACK return code 0x${code.toString(16)} is reserved`, 'MQTT-3.9.3-2');
    }
    reasonCodes.push(code);
  }
  const packet: SubackPacket = { type: 'suback', packetId, reasonCodes };
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

export function subackLength(p: SubackPacket, version: ProtocolVersion): number {
  return 2 + (version === 5 ? propertiesSize(p.properties, CODE) : 0) + p.reasonCodes.length;
}

export function writeSuback(w: Writer, p: SubackPacket, version: ProtocolVersion): void {
  w.u16(p.packetId);
  if (version === 5) writeProperties(w, p.properties, CODE);
  for (const code of p.reasonCodes) {
    // [MQTT-3.9.3-2] a 3.1.1 failure is always 0x80, whatever 5.0 reason code the broker chose.
    w.u8(version !== 5 && code >= 0x80 ? 0x80 : code);
  }
}

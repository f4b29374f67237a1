// UNSUBACK (3.1.1 section 3.11, 5.0 section 3.11): 3.1.1 has only the packet identifier; 5.0 adds
// properties and one reason code per topic filter.
import type { Reader, Writer } from '../primitives.js';
import { propertiesSize, readProperties, writeProperties } from '../properties.js';
import type { ProtocolVersion, UnsubackPacket } from '../types.js';
import { checkFlags } from './common.js';

const CODE = 11;

export function decodeUnsuback(r: Reader, flags: number): UnsubackPacket {
  checkFlags(flags, 0, r.version, 'UNSUBACK');
  const packetId = r.u16('the packet identifier');
  const packet: UnsubackPacket = { type: 'unsuback', packetId };
  if (r.version === 5) {
    const properties = readProperties(r, CODE);
    const reasonCodes: number[] = [];
    while (r.remaining > 0) reasonCodes.push(r.u8('a reason code'));
    packet.reasonCodes = reasonCodes;
    if (properties !== undefined) packet.properties = properties;
  }
  r.done('UNSUBACK');
  return packet;
}

export function unsubackLength(p: UnsubackPacket, version: ProtocolVersion): number {
  if (version !== 5) return 2;
  return 2 + propertiesSize(p.properties, CODE) + (p.reasonCodes?.length ?? 0);
}

export function writeUnsuback(w: Writer, p: UnsubackPacket, version: ProtocolVersion): void {
  w.u16(p.packetId);
  if (version !== 5) return;
  writeProperties(w, p.properties, CODE);
  for (const code of p.reasonCodes ?? []) w.u8(code);
}

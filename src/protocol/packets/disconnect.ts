// DISCONNECT (3.1.1 section 3.14, 5.0 section 3.14).
import type { Reader, Writer } from '../primitives.js';
import { propertiesSize, readProperties, writeProperties } from '../properties.js';
import type { DisconnectPacket, ProtocolVersion } from '../types.js';
import { checkFlagsFrom311, isEmpty } from './common.js';

const CODE = 14;

export function decodeDisconnect(r: Reader, flags: number): DisconnectPacket {
  // [MQTT-3.14.1-1] reserved flags are 0.
  checkFlagsFrom311(flags, 0, r.version, 'DISCONNECT', 'MQTT-3.14.1-1');
  const packet: DisconnectPacket = { type: 'disconnect' };
  if (r.version === 5) {
    // 3.14.2.1: Remaining Length 0 means 0x00 Normal disconnection; below 2 means no properties.
    if (r.remaining > 0) packet.reasonCode = r.u8('the reason code');
    if (r.remaining > 0) {
      const properties = readProperties(r, CODE);
      if (properties !== undefined) packet.properties = properties;
    }
  }
  r.done('DISCONNECT');
  return packet;
}

export function disconnectLength(p: DisconnectPacket, version: ProtocolVersion): number {
  return version === 5 ? reasonAndPropertiesLength(p.reasonCode, p.properties, CODE) : 0;
}

export function writeDisconnect(w: Writer, p: DisconnectPacket, version: ProtocolVersion): void {
  if (version === 5) writeReasonAndProperties(w, p.reasonCode, p.properties, CODE);
}

/** DISCONNECT and AUTH: both fields are left out for reason 0x00 without properties; else both are written. */
export function reasonAndPropertiesLength(
  reasonCode: number | undefined,
  properties: DisconnectPacket['properties'],
  code: number,
): number {
  if ((properties === undefined || isEmpty(properties)) && (reasonCode ?? 0) === 0) return 0;
  return 1 + propertiesSize(properties, code);
}

export function writeReasonAndProperties(
  w: Writer,
  reasonCode: number | undefined,
  properties: DisconnectPacket['properties'],
  code: number,
): void {
  if ((properties === undefined || isEmpty(properties)) && (reasonCode ?? 0) === 0) return;
  w.u8(reasonCode ?? 0);
  writeProperties(w, properties, code);
}

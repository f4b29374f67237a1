// AUTH (5.0 section 3.15). MQTT 3.1 and 3.1.1 reserve packet type 15: the decoder rejects it before here.
import type { Reader, Writer } from '../primitives.js';
import { readProperties } from '../properties.js';
import type { AuthPacket } from '../types.js';
import { checkFlags } from './common.js';
import { reasonAndPropertiesLength, writeReasonAndProperties } from './disconnect.js';

const CODE = 15;

export function decodeAuth(r: Reader, flags: number): AuthPacket {
  // [MQTT-3.15.1-1] reserved flags are 0.
  checkFlags(flags, 0, r.version, 'AUTH', 'MQTT-3.15.1-1');
  const packet: AuthPacket = { type: 'auth' };
  // 3.15.2.1: Remaining Length 0 means 0x00 Success without properties.
  if (r.remaining > 0) packet.reasonCode = r.u8('the reason code');
  if (r.remaining > 0) {
    const properties = readProperties(r, CODE);
    if (properties !== undefined) packet.properties = properties;
  }
  r.done('AUTH');
  return packet;
}

export function authLength(p: AuthPacket): number {
  return reasonAndPropertiesLength(p.reasonCode, p.properties, CODE);
}

export function writeAuth(w: Writer, p: AuthPacket): void {
  writeReasonAndProperties(w, p.reasonCode, p.properties, CODE);
}

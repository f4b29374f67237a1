// PUBREL (3.1.1 and 5.0 section 3.6): the shared acknowledgement layout of ack.ts.
import type { Reader, Writer } from '../primitives.js';
import type { PubrelPacket, ProtocolVersion } from '../types.js';
import { ackLength, decodeAck, writeAck } from './ack.js';
import { checkFlagsFrom311 } from './common.js';

const CODE = 6;

export function decodePubrel(r: Reader, flags: number): PubrelPacket {
  // [MQTT-3.6.1-1] PUBREL flags are 0010.
  checkFlagsFrom311(flags, 0b0010, r.version, 'PUBREL', 'MQTT-3.6.1-1');
  return decodeAck(r, 'pubrel', CODE);
}

export function pubrelLength(p: PubrelPacket, version: ProtocolVersion): number {
  return ackLength(p, version, CODE);
}

export function writePubrel(w: Writer, p: PubrelPacket, version: ProtocolVersion): void {
  writeAck(w, p, version, CODE);
}

// PUBACK (3.1.1 and 5.0 section 3.4): the shared acknowledgement layout of ack.ts.
import type { Reader, Writer } from '../primitives.js';
import type { PubackPacket, ProtocolVersion } from '../types.js';
import { ackLength, decodeAck, writeAck } from './ack.js';
import { checkFlagsFrom311 } from './common.js';

const CODE = 4;

export function decodePuback(r: Reader, flags: number): PubackPacket {
  checkFlagsFrom311(flags, 0, r.version, 'PUBACK');
  return decodeAck(r, 'puback', CODE);
}

export function pubackLength(p: PubackPacket, version: ProtocolVersion): number {
  return ackLength(p, version, CODE);
}

export function writePuback(w: Writer, p: PubackPacket, version: ProtocolVersion): void {
  writeAck(w, p, version, CODE);
}

// PUBCOMP (3.1.1 and 5.0 section 3.7): the shared acknowledgement layout of ack.ts.
import type { Reader, Writer } from '../primitives.js';
import type { PubcompPacket, ProtocolVersion } from '../types.js';
import { ackLength, decodeAck, writeAck } from './ack.js';
import { checkFlagsFrom311 } from './common.js';

const CODE = 7;

export function decodePubcomp(r: Reader, flags: number): PubcompPacket {
  checkFlagsFrom311(flags, 0, r.version, 'PUBCOMP');
  return decodeAck(r, 'pubcomp', CODE);
}

export function pubcompLength(p: PubcompPacket, version: ProtocolVersion): number {
  return ackLength(p, version, CODE);
}

export function writePubcomp(w: Writer, p: PubcompPacket, version: ProtocolVersion): void {
  writeAck(w, p, version, CODE);
}

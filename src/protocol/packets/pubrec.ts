// PUBREC (3.1.1 and 5.0 section 3.5): the shared acknowledgement layout of ack.ts.
import type { Reader, Writer } from '../primitives.js';
import type { PubrecPacket, ProtocolVersion } from '../types.js';
import { ackLength, decodeAck, writeAck } from './ack.js';
import { checkFlags } from './common.js';

const CODE = 5;

export function decodePubrec(r: Reader, flags: number): PubrecPacket {
  checkFlags(flags, 0, r.version, 'PUBREC');
  return decodeAck(r, 'pubrec', CODE);
}

export function pubrecLength(p: PubrecPacket, version: ProtocolVersion): number {
  return ackLength(p, version, CODE);
}

export function writePubrec(w: Writer, p: PubrecPacket, version: ProtocolVersion): void {
  writeAck(w, p, version, CODE);
}

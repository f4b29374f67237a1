// PINGREQ (section 3.12 in 3.1.1 and 5.0): a fixed header and nothing else.
import type { Reader } from '../primitives.js';
import type { PingreqPacket } from '../types.js';
import { checkFlags } from './common.js';

const PACKET: PingreqPacket = Object.freeze({ type: 'pingreq' });

/** Every PINGREQ decodes to the same frozen object: there is nothing in it. */
export function decodePingreq(r: Reader, flags: number): PingreqPacket {
  checkFlags(flags, 0, r.version, 'PINGREQ');
  r.done('PINGREQ');
  return PACKET;
}

export function pingreqLength(): number {
  return 0;
}

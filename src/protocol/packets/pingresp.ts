// PINGRESP (section 3.13 in 3.1.1 and 5.0): a fixed header and nothing else.
import type { Reader } from '../primitives.js';
import type { PingrespPacket } from '../types.js';
import { checkFlags } from './common.js';

const PACKET: PingrespPacket = Object.freeze({ type: 'pingresp' });

/** Every PINGRESP decodes to the same frozen object: there is nothing in it. */
export function decodePingresp(r: Reader, flags: number): PingrespPacket {
  checkFlags(flags, 0, r.version, 'PINGRESP');
  r.done('PINGRESP');
  return PACKET;
}

export function pingrespLength(): number {
  return 0;
}

// Packet → bytes. One allocation per packet: the body length is computed first, then every field is written
// into a buffer of exactly the packet's size. Encoding never validates the broker's own logic beyond what
// would make the bytes unreadable: an unencodable packet (QoS 3, a string over 65535 bytes, a property not
// allowed in that packet, AUTH before 5.0, ...) throws RangeError, a bug in the caller, not a ProtocolError.
import { Writer, varintSize } from './primitives.js';
import { PACKET_TYPE_CODES } from './types.js';
import type { Packet, ProtocolVersion } from './types.js';
import { authLength, writeAuth } from './packets/auth.js';
import { connackLength, writeConnack } from './packets/connack.js';
import { connectLength, writeConnect } from './packets/connect.js';
import { disconnectLength, writeDisconnect } from './packets/disconnect.js';
import { pingreqLength } from './packets/pingreq.js';
import { pingrespLength } from './packets/pingresp.js';
import { pubackLength, writePuback } from './packets/puback.js';
import { pubcompLength, writePubcomp } from './packets/pubcomp.js';
import { publishFlags, publishLength, writePublish } from './packets/publish.js';
import { pubrecLength, writePubrec } from './packets/pubrec.js';
import { pubrelLength, writePubrel } from './packets/pubrel.js';
import { subackLength, writeSuback } from './packets/suback.js';
import { subscribeLength, writeSubscribe } from './packets/subscribe.js';
import { unsubackLength, writeUnsuback } from './packets/unsuback.js';
import { unsubscribeLength, writeUnsubscribe } from './packets/unsubscribe.js';

/** The Remaining Length of `packet`: everything after the fixed header. */
export function bodyLength(packet: Packet, version: ProtocolVersion): number {
  switch (packet.type) {
    case 'publish':
      return publishLength(packet, version);
    case 'puback':
      return pubackLength(packet, version);
    case 'connect':
      return connectLength(packet);
    case 'connack':
      return connackLength(packet, version);
    case 'pubrec':
      return pubrecLength(packet, version);
    case 'pubrel':
      return pubrelLength(packet, version);
    case 'pubcomp':
      return pubcompLength(packet, version);
    case 'subscribe':
      return subscribeLength(packet, version);
    case 'suback':
      return subackLength(packet, version);
    case 'unsubscribe':
      return unsubscribeLength(packet, version);
    case 'unsuback':
      return unsubackLength(packet, version);
    case 'pingreq':
      return pingreqLength();
    case 'pingresp':
      return pingrespLength();
    case 'disconnect':
      return disconnectLength(packet, version);
    case 'auth':
      if (version !== 5) throw new RangeError('AUTH exists only in MQTT 5.0');
      return authLength(packet);
  }
}

/** Byte 1 of the fixed header: packet type and flags (Table 2.2 / 2-2). */
export function firstByte(packet: Packet): number {
  switch (packet.type) {
    case 'publish':
      return 0x30 | publishFlags(packet);
    case 'pubrel':
    case 'subscribe':
    case 'unsubscribe':
      return (PACKET_TYPE_CODES[packet.type] << 4) | 0b0010;
    default:
      return PACKET_TYPE_CODES[packet.type] << 4;
  }
}

function writeBody(w: Writer, packet: Packet, version: ProtocolVersion): void {
  switch (packet.type) {
    case 'publish':
      return writePublish(w, packet, version);
    case 'puback':
      return writePuback(w, packet, version);
    case 'connect':
      return writeConnect(w, packet);
    case 'connack':
      return writeConnack(w, packet, version);
    case 'pubrec':
      return writePubrec(w, packet, version);
    case 'pubrel':
      return writePubrel(w, packet, version);
    case 'pubcomp':
      return writePubcomp(w, packet, version);
    case 'subscribe':
      return writeSubscribe(w, packet, version);
    case 'suback':
      return writeSuback(w, packet, version);
    case 'unsubscribe':
      return writeUnsubscribe(w, packet, version);
    case 'unsuback':
      return writeUnsuback(w, packet, version);
    case 'pingreq':
    case 'pingresp':
      return;
    case 'disconnect':
      return writeDisconnect(w, packet, version);
    case 'auth':
      return writeAuth(w, packet);
  }
}

/** Whole encoded size of `packet` in bytes, fixed header included, without encoding it. */
export function packetSize(packet: Packet, version: ProtocolVersion): number {
  const n = bodyLength(packet, version);
  return 1 + varintSize(n) + n;
}

/**
 * Encodes `packet` for a connection speaking `version`. CONNECT is always encoded at its own
 * protocolVersion. Properties and 5.0 reason codes are left out below 5.0.
 */
export function encode(packet: Packet, version: ProtocolVersion): Buffer {
  const n = bodyLength(packet, version);
  const buf = Buffer.allocUnsafe(1 + varintSize(n) + n);
  const w = new Writer(buf);
  w.u8(firstByte(packet));
  w.varint(n);
  writeBody(w, packet, version);
  if (w.pos !== buf.length) throw new RangeError(`encoder wrote ${w.pos} of ${buf.length} bytes`);
  return buf;
}

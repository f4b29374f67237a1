// PUBACK, PUBREC, PUBREL and PUBCOMP with no reason code and no properties (every 3.1/3.1.1 ack, and the usual
// MQTT 5 one: Remaining Length 2 means Success, section 3.4.2.1) are four bytes that differ only in the first
// byte and the packet identifier. They go out as one shared template patched while it is copied into the
// connection's output: no packet encode and no buffer per acknowledgement on the QoS 1 / 2 path.
import type { Packet, PubAckLikePacket } from './types.js';

type AckType = 'puback' | 'pubrec' | 'pubrel' | 'pubcomp';

/** Never written to: connections patch their copy of it, never the template (Connection.writePatched). */
export const ACK_TEMPLATE: Buffer = Buffer.from([0x00, 0x02, 0x00, 0x00]);
/** Where the packet identifier sits in ACK_TEMPLATE. */
export const ACK_PACKET_ID_OFFSET = 2;

/** Fixed header byte 1 of each ack; PUBREL's reserved flags are 0010 [MQTT-3.6.1-1]. */
const FIRST_BYTE: Readonly<Record<AckType, number>> = {
  puback: 0x40,
  pubrec: 0x50,
  pubrel: 0x62,
  pubcomp: 0x70,
};

/** True for an ack whose whole encoding is ACK_TEMPLATE with its first byte and packet identifier patched. */
export function isPlainAck(packet: Packet): packet is PubAckLikePacket<AckType> {
  switch (packet.type) {
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      return packet.properties === undefined && (packet.reasonCode === undefined || packet.reasonCode === 0);
    default:
      return false;
  }
}

/** The first byte of a plain ack of this type. */
export function ackFirstByte(packet: PubAckLikePacket<AckType>): number {
  return FIRST_BYTE[packet.type];
}

// Checks shared by the packet codecs: fixed-header flags and packet identifiers, with the rule id of the
// protocol version being decoded (the same requirement carries different ids in 3.1.1 and 5.0).
import { malformed, protocolError } from '../reason-codes.js';
import type { ProtocolVersion } from '../types.js';
import type { Reader } from '../primitives.js';

/**
 * Reserved fixed-header flag bits must carry exactly the listed values [MQTT-2.2.2-1]; a receiver closes on
 * anything else [MQTT-2.2.2-2] (5.0: [MQTT-2.1.3-1], Malformed Packet). `rule` names a packet-specific id.
 */
export function checkFlags(
  flags: number,
  expected: number,
  version: ProtocolVersion,
  packetName: string,
  rule?: string,
): void {
  if (flags === expected) return;
  throw malformed(
    `${packetName} fixed header flags must be 0b${expected.toString(2).padStart(4, '0')}, got 0b${flags.toString(2).padStart(4, '0')}`,
    rule ?? (version === 5 ? 'MQTT-2.1.3-1' : 'MQTT-2.2.2-2'),
  );
}

/**
 * Flags MQTT 3.1 (level 3) clients are known to get wrong are checked from 3.1.1 on only, exactly where
 * mosquitto checks them (its handle_connect/pubackcomp/pubrel/subscribe/unsubscribe/disconnect skip the check
 * for `mosq_p_mqtt31`): CONNECT, PUBACK, PUBREL, PUBCOMP, SUBSCRIBE, UNSUBSCRIBE and DISCONNECT. phpMQTT, still
 * behind many PHP push systems, sends SUBSCRIBE with flags it computes from the QoS (0 for QoS 0), and 3.1 let a
 * retransmission set DUP. 3.1.1 and 5.0 keep the strict rule; PUBLISH, PUBREC and PINGREQ are strict for all.
 */
export function checkFlagsFrom311(
  flags: number,
  expected: number,
  version: ProtocolVersion,
  packetName: string,
  rule?: string,
): void {
  if (version !== 3) checkFlags(flags, expected, version, packetName, rule);
}

/** A Packet Identifier that must be non-zero: QoS>0 PUBLISH, SUBSCRIBE, UNSUBSCRIBE [MQTT-2.3.1-1]. */
export function readNonZeroPacketId(r: Reader, packetName: string): number {
  const id = r.u16('the packet identifier');
  if (id === 0) {
    throw protocolError(
      `${packetName} packet identifier must not be 0`,
      r.version === 5 ? 'MQTT-2.2.1-3' : 'MQTT-2.3.1-1',
    );
  }
  return id;
}

/** Encoder-side check of a packet identifier. */
export function checkPacketId(id: number | undefined, packetName: string): number {
  if (id === undefined || !Number.isInteger(id) || id < 1 || id > 0xffff) {
    throw new RangeError(`${packetName} needs a packet identifier in 1..65535, got ${id}`);
  }
  return id;
}

/** True for an object with no own enumerable keys (a Properties object with nothing to write). */
export function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

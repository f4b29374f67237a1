import type { Properties, ProtocolVersion } from '../protocol/types.js';
import { encode } from '../protocol/encoder.js';
import type { Outgoing } from '../session/types.js';

/**
 * Which cached frame of a message fits this delivery: one per protocol version x QoS x RETAIN flag.
 * -1 when the frame must be built for this subscriber alone (MQTT 5 subscription identifiers, or a
 * message expiry interval that has to be counted down [MQTT-3.3.2-6]).
 */
export function frameIndex(version: ProtocolVersion, outgoing: Outgoing): number {
  // Expiry applies to subscribers of every version [MQTT-3.3.2-5]: counting it down needs the per-subscriber path.
  if (
    outgoing.message.properties?.messageExpiryInterval !== undefined ||
    (version === 5 && outgoing.subscriptionIds !== undefined)
  ) {
    return -1;
  }
  return (version - 3) * 6 + outgoing.qos * 2 + (outgoing.retain ? 1 : 0);
}

/**
 * Encodes a delivery with per-subscriber properties (and topic alias); undefined when the message expired before
 * its delivery started [MQTT-3.3.2-5].
 */
export function encodeOutgoing(
  outgoing: Outgoing,
  version: ProtocolVersion,
  packetId: number | undefined,
  dup: boolean,
  now: number,
  alias?: { readonly alias: number; readonly known: boolean },
): Buffer | undefined {
  const message = outgoing.message;
  const properties: Properties = { ...message.properties };
  const expiry = properties.messageExpiryInterval;
  if (expiry !== undefined) {
    const remaining = expiry - Math.floor((now - message.receivedAt) / 1000);
    // [MQTT-3.3.2-5] only a delivery not yet started expires; a retransmission (DUP) of a message already sent
    // finishes its flow [MQTT-4.3.3-7], with the least interval the property can say.
    if (remaining <= 0 && !dup) return undefined;
    properties.messageExpiryInterval = remaining > 0 ? remaining : 1;
  }
  if (outgoing.subscriptionIds !== undefined) properties.subscriptionIdentifiers = outgoing.subscriptionIds;
  // A known alias replaces the topic (sent as the empty string); a new one travels with its topic.
  if (alias !== undefined) properties.topicAlias = alias.alias;
  return encode(
    {
      type: 'publish',
      topic: alias?.known === true ? '' : message.topic,
      payload: message.payload,
      qos: outgoing.qos,
      retain: outgoing.retain,
      dup,
      packetId,
      properties,
    },
    version,
  );
}

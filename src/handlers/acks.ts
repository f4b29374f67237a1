// PUBACK, PUBREC, PUBREL and PUBCOMP: the acknowledgement flows of section 4.3.
import type { PubackPacket, PubcompPacket, PubrecPacket, PubrelPacket } from '../protocol/types.js';
import { ReasonCode } from '../protocol/reason-codes.js';
import type { BrokerContext, ClientLink, Session } from './context.js';
import { sendWhenDurable } from './durable.js';

/** QoS 1 delivery done [MQTT-4.3.2-1]: the packet id is free again [MQTT-2.3.1-4]. Unknown ids are ignored. */
export function handlePuback(client: ClientLink, packet: PubackPacket): void {
  (client.session as Session).complete(packet.packetId, false);
}

/**
 * QoS 2 step 2: answer PUBREL with the same id [MQTT-2.3.1-6][MQTT-4.3.3-1]. A persistent session's PUBREL
 * waits for "released" to be stored: after a crash the broker must not send that PUBLISH again.
 */
export function handlePubrec(ctx: BrokerContext, client: ClientLink, packet: PubrecPacket): void {
  const session = client.session as Session;
  if (packet.reasonCode !== undefined && packet.reasonCode >= 0x80) {
    session.abandon(packet.packetId); // MQTT 5: a failure PUBREC ends the flow.
    return;
  }
  const known = session.received(packet.packetId);
  const reasonCode = known || client.protocolVersion !== 5 ? undefined : ReasonCode.PacketIdentifierNotFound;
  sendWhenDurable(ctx, client, { type: 'pubrel', packetId: packet.packetId, reasonCode });
}

/**
 * QoS 2 inbound, last step: forget the id and answer PUBCOMP [MQTT-4.3.3-2], even for an unknown id. With
 * persistence PUBCOMP waits until the id is gone from the store: a restart must not mistake the client's
 * next message with that id for a duplicate.
 */
export function handlePubrel(ctx: BrokerContext, client: ClientLink, packet: PubrelPacket): void {
  const known = (client.session as Session).inboundQos2.delete(packet.packetId);
  const reasonCode = known || client.protocolVersion !== 5 ? undefined : ReasonCode.PacketIdentifierNotFound;
  sendWhenDurable(ctx, client, { type: 'pubcomp', packetId: packet.packetId, reasonCode });
}

export function handlePubcomp(client: ClientLink, packet: PubcompPacket): void {
  (client.session as Session).complete(packet.packetId, true);
}

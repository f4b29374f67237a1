// PUBACK, PUBREC, PUBREL and PUBCOMP: the acknowledgement flows of section 4.3.
import type { PubackPacket, PubcompPacket, PubrecPacket, PubrelPacket } from '../protocol/types.js';
import { ReasonCode } from '../protocol/reason-codes.js';
import type { ClientLink, Session } from './context.js';

/** QoS 1 delivery done [MQTT-4.3.2-1]: the packet id is free again [MQTT-2.3.1-4]. Unknown ids are ignored. */
export function handlePuback(client: ClientLink, packet: PubackPacket): void {
  (client.session as Session).complete(packet.packetId, false);
}

/** QoS 2 step 2: answer PUBREL with the same id [MQTT-2.3.1-6][MQTT-4.3.3-1]. */
export function handlePubrec(client: ClientLink, packet: PubrecPacket): void {
  const session = client.session as Session;
  if (packet.reasonCode !== undefined && packet.reasonCode >= 0x80) {
    session.abandon(packet.packetId); // MQTT 5: a failure PUBREC ends the flow.
    return;
  }
  const known = session.received(packet.packetId);
  const reasonCode = known || client.protocolVersion !== 5 ? undefined : ReasonCode.PacketIdentifierNotFound;
  client.send({ type: 'pubrel', packetId: packet.packetId, reasonCode });
}

/** QoS 2 inbound, last step: forget the id and answer PUBCOMP [MQTT-4.3.3-2], even for an unknown id. */
export function handlePubrel(client: ClientLink, packet: PubrelPacket): void {
  const known = (client.session as Session).inboundQos2.delete(packet.packetId);
  const reasonCode = known || client.protocolVersion !== 5 ? undefined : ReasonCode.PacketIdentifierNotFound;
  client.send({ type: 'pubcomp', packetId: packet.packetId, reasonCode });
}

export function handlePubcomp(client: ClientLink, packet: PubcompPacket): void {
  (client.session as Session).complete(packet.packetId, true);
}

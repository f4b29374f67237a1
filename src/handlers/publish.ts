import type { PublishPacket } from '../protocol/types.js';
import { ProtocolError, ReasonCode } from '../protocol/reason-codes.js';
import { isValidTopicName } from '../topic/validate.js';
import type { BrokerContext, ClientLink, Identity, Message, Session } from './context.js';
import { sendWhenDurable } from './durable.js';
import { admitPublish, PublishRefusal, type Admission } from './admission.js';

/**
 * An inbound PUBLISH: validate, authorize, route, acknowledge as its QoS demands [MQTT-3.3.4-1].
 * The ack goes out after routing, so a message is handed on before the publisher is told it arrived, and
 * with persistence only once the offline queues and the retained store hold it durably.
 */
export function handlePublish(
  ctx: BrokerContext,
  client: ClientLink,
  received: PublishPacket,
): void | Promise<void> {
  const session = client.session as Session;
  const identity = client.identity as Identity;
  const alias = received.properties?.topicAlias;
  const packet = alias === undefined ? received : resolveAlias(client, received, alias);
  const { qos } = packet;
  const { settings } = ctx;
  if (qos === 2 && qos <= settings.maxQos) {
    // QoS 2 duplicate: PUBREC sent already for this id, so the message was routed once [MQTT-4.3.3-2].
    if (session.inboundQos2.has(packet.packetId as number)) {
      acknowledge(ctx, client, packet, ReasonCode.Success);
      return;
    }
    if (client.protocolVersion === 5 && session.inboundQos2.size >= settings.receiveMaximum) {
      // [MQTT-3.3.4-7] the client exceeded the Receive Maximum of our CONNACK (section 4.9): QoS 1 is
      // acknowledged at once, so only QoS 2 messages awaiting PUBREL can pile up.
      throw new ProtocolError(
        ReasonCode.ReceiveMaximumExceeded,
        `more than ${settings.receiveMaximum} QoS 2 messages awaiting PUBREL`,
        'MQTT-3.3.4-7',
      );
    }
  }
  if (ctx.memory?.refuses(packet.payload.length) === true) {
    // memory_limit reached: MQTT 5 QoS 1/2 get 0x97 Quota exceeded in the ack; QoS 0 (no ack) and 3.1.1 are
    // disconnected, as mosquitto disconnects a client whose message it cannot allocate.
    const { topic, payload, retain, properties } = packet;
    ctx.dropped(identity.clientId, { topic, payload, qos, retain, properties }, 'memory_limit');
    if (qos === 0 || client.protocolVersion !== 5)
      throw new ProtocolError(ReasonCode.QuotaExceeded, 'memory_limit reached');
    acknowledge(ctx, client, packet, ReasonCode.QuotaExceeded);
    return;
  }
  const admission = admitPublish(ctx, identity, packet);
  if (!(admission instanceof Promise)) return settle(ctx, client, session, packet, admission);
  return admission.then((admitted) => {
    if (!client.closed) return settle(ctx, client, session, packet, admitted);
  });
}

/** Routes an admitted message, or answers a refusal the way MQTT says (ack reason code or DISCONNECT). */
function settle(
  ctx: BrokerContext,
  client: ClientLink,
  session: Session,
  packet: PublishPacket,
  admission: Admission,
): void | Promise<void> {
  if (!(admission instanceof PublishRefusal)) return deliver(ctx, client, session, packet, admission);
  switch (admission.cause) {
    case 'bad_topic':
    case 'bad_response_topic':
    case 'bad_qos':
    case 'retain_unavailable':
      // A PUBLISH breaking these rules is a protocol error: DISCONNECT (5.0) or close.
      throw new ProtocolError(admission.reasonCode, admission.reason, admission.rule);
    case 'bad_payload_format':
      // 0x99 in the ack, or DISCONNECT for QoS 0, which has no ack.
      if (packet.qos === 0) throw new ProtocolError(admission.reasonCode, admission.reason);
      break;
    default:
      // [MQTT-3.3.5-2] an unauthorized PUBLISH is acknowledged as usual (3.1.1) or with 0x87 (5.0), never
      // routed; too large (0x95) and interceptor refusals likewise.
      break;
  }
  acknowledge(ctx, client, packet, admission.reasonCode);
}

function deliver(
  ctx: BrokerContext,
  client: ClientLink,
  session: Session,
  packet: PublishPacket,
  message: Message,
): void | Promise<void> {
  if (packet.qos === 2) session.inboundQos2.add(packet.packetId as number);
  // One PUBLISH in LATENCY_SAMPLE_EVERY, of any QoS, is timed: the others pay a countdown, no timer call.
  const started = ctx.stats.sampleLatency() ? performance.now() : 0;
  const routed = ctx.publish(message);
  if (started !== 0) ctx.stats.observeLatency((performance.now() - started) / 1000);
  const nobody = routed.matched === 0 && routed.remoteNodes === 0;
  acknowledge(ctx, client, packet, nobody ? ReasonCode.NoMatchingSubscribers : ReasonCode.Success);
  if (ctx.hooks.observing.onPublished) {
    ctx.hooks.emit('onPublished', {
      client: client.identity as Identity,
      message,
      delivered: routed.matched,
    });
  }
  // Acknowledged already; the publisher's next packets wait while a subscriber's queue is long (PublisherHold).
  return packet.qos === 0 ? undefined : routed.holder?.holdBack();
}

function acknowledge(
  ctx: BrokerContext,
  client: ClientLink,
  packet: PublishPacket,
  reasonCode: number,
): void {
  if (packet.qos === 0) return;
  const packetId = packet.packetId as number;
  const code = client.protocolVersion === 5 && reasonCode !== 0 ? reasonCode : undefined;
  sendWhenDurable(ctx, client, { type: packet.qos === 1 ? 'puback' : 'pubrec', packetId, reasonCode: code });
}

/** The topic a Topic Alias stands for on this connection (section 3.3.2.3.4). */
function resolveAlias(client: ClientLink, packet: PublishPacket, alias: number): PublishPacket {
  const aliases = client.topicAliases;
  if (aliases === undefined) {
    // [MQTT-3.2.2-18] no Topic Alias Maximum was offered: any alias is invalid.
    throw new ProtocolError(ReasonCode.TopicAliasInvalid, 'topic alias not offered', 'MQTT-3.2.2-18');
  }
  if (packet.topic.length > 0 && !isValidTopicName(packet.topic)) {
    throw new ProtocolError(
      ReasonCode.TopicNameInvalid,
      `invalid topic name '${packet.topic}'`,
      'MQTT-3.3.2-2',
    );
  }
  return { ...packet, topic: aliases.resolve(packet.topic, alias) };
}

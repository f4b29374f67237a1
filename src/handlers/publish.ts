import { isUtf8 } from 'node:buffer';
import type { PublishPacket, Properties } from '../protocol/types.js';
import { ProtocolError, ReasonCode } from '../protocol/reason-codes.js';
import { isValidTopicName } from '../topic/validate.js';
import type { BrokerContext, ClientLink, Identity, Message, Session } from './context.js';
import { sendWhenDurable } from './durable.js';

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
  const { topic, qos } = packet;
  if (!isValidTopicName(topic)) {
    // [MQTT-3.3.2-2] no wildcards in a topic name.
    throw new ProtocolError(ReasonCode.TopicNameInvalid, `invalid topic name '${topic}'`, 'MQTT-3.3.2-2');
  }
  const responseTopic = packet.properties?.responseTopic;
  if (responseTopic !== undefined && !isValidTopicName(responseTopic)) {
    // [MQTT-3.3.2-14] a Response Topic is a topic name: no wildcards (a Protocol Error, section 3.3.2.3.5).
    throw new ProtocolError(ReasonCode.ProtocolError, 'Response Topic with a wildcard', 'MQTT-3.3.2-14');
  }
  const { settings } = ctx;
  if (qos > settings.maxQos) {
    throw new ProtocolError(ReasonCode.QoSNotSupported, `QoS ${qos} exceeds the maximum`, 'MQTT-3.2.2-11');
  }
  if (packet.retain && !settings.retainAvailable) {
    throw new ProtocolError(ReasonCode.RetainNotSupported, 'retain is not available', 'MQTT-3.2.2-14');
  }
  const stats = ctx.stats;
  stats.publishReceived++;
  stats.receivedByQos[qos]++;
  stats.publishBytesReceived += packet.payload.length;

  // QoS 2 duplicate: PUBREC received already for this id, so the message was routed once [MQTT-4.3.3-2].
  if (qos === 2 && session.inboundQos2.has(packet.packetId as number)) {
    acknowledge(ctx, client, packet, ReasonCode.Success);
    return;
  }
  if (qos === 2 && client.protocolVersion === 5 && session.inboundQos2.size >= settings.receiveMaximum) {
    // [MQTT-3.3.4-7] the client exceeded the Receive Maximum of our CONNACK (section 4.9): QoS 1 is acknowledged
    // at once, so only QoS 2 messages awaiting PUBREL can pile up.
    throw new ProtocolError(
      ReasonCode.ReceiveMaximumExceeded,
      `more than ${settings.receiveMaximum} QoS 2 messages awaiting PUBREL`,
      'MQTT-3.3.4-7',
    );
  }
  if (packet.properties?.payloadFormatIndicator === 1 && !isUtf8(packet.payload)) {
    // Section 3.3.2.3.2: a server may check a payload said to be UTF-8; like mosquitto, Midge does. 0x99 in the
    // ack, or DISCONNECT for QoS 0, which has no ack.
    ctx.stats.publishDropped++;
    if (qos === 0) throw new ProtocolError(ReasonCode.PayloadFormatInvalid, 'payload is not UTF-8');
    acknowledge(ctx, client, packet, ReasonCode.PayloadFormatInvalid);
    return;
  }
  if (settings.messageSizeLimit > 0 && packet.payload.length > settings.messageSizeLimit) {
    stats.drop('too_large');
    acknowledge(ctx, client, packet, ReasonCode.PacketTooLarge);
    return;
  }

  const decision = ctx.auth.authorizePublish(identity, topic, qos, packet.retain);
  if (decision === 'allow') return route(ctx, client, session, packet);
  if (decision === 'deny' || decision === 'defer') return deny(ctx, client, packet);
  return decision.then((answer) =>
    answer === 'allow' ? route(ctx, client, session, packet) : deny(ctx, client, packet),
  );
}

function route(
  ctx: BrokerContext,
  client: ClientLink,
  session: Session,
  packet: PublishPacket,
): void | Promise<void> {
  const message: Message = {
    topic: packet.topic,
    payload: packet.payload,
    qos: packet.qos,
    retain: packet.retain,
    properties: forwardable(packet.properties),
    origin: session.clientId,
    receivedAt: Date.now(),
  };
  if (ctx.hooks.interceptsPublish) return intercept(ctx, client, session, packet, message);
  return deliver(ctx, client, session, packet, message);
}

/** onPublish interceptors may rewrite the message or refuse it with a reason code (0x99 for a bad envelope). */
async function intercept(
  ctx: BrokerContext,
  client: ClientLink,
  session: Session,
  packet: PublishPacket,
  message: Message,
): Promise<void> {
  const outcome = await ctx.hooks.publish({ client: client.identity as Identity, message });
  if (client.closed) return;
  if (!outcome.ok) {
    ctx.stats.drop('rejected_by_hook');
    ctx.log.debug(
      { clientId: session.clientId, topic: packet.topic, why: outcome.reason },
      'publish rejected',
    );
    acknowledge(ctx, client, packet, outcome.reasonCode);
    return;
  }
  const changed = outcome.value;
  if (changed !== message) {
    const { topic, payload, qos, retain, properties } = changed;
    message = {
      topic,
      payload,
      qos,
      retain,
      properties,
      origin: message.origin,
      receivedAt: message.receivedAt,
    };
  }
  return deliver(ctx, client, session, packet, message);
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

/** [MQTT-3.3.5-2] an unauthorized PUBLISH is acknowledged as usual (3.1.1) or with 0x87 (5.0), never routed. */
function deny(ctx: BrokerContext, client: ClientLink, packet: PublishPacket): void {
  ctx.log.info({ clientId: client.identity?.clientId, topic: packet.topic }, 'publish denied');
  ctx.stats.drop('not_authorized');
  acknowledge(ctx, client, packet, ReasonCode.NotAuthorized);
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

/** Properties travel to subscribers except the per-hop ones (topic alias, subscription identifiers). */
function forwardable(properties: Properties | undefined): Properties | undefined {
  if (properties === undefined) return undefined;
  if (properties.topicAlias === undefined && properties.subscriptionIdentifiers === undefined)
    return properties;
  const { topicAlias: _alias, subscriptionIdentifiers: _ids, ...rest } = properties;
  return rest;
}

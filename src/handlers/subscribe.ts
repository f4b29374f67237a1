import type { SubscribePacket, Subscription } from '../protocol/types.js';
import { ProtocolError, ReasonCode } from '../protocol/reason-codes.js';
import { isValidTopicFilter } from '../topic/validate.js';
import { parseSharedSubscription } from '../topic/shared.js';
import type { BrokerContext, ClientLink, Identity, Session } from './context.js';
import { whenStored } from './durable.js';
import { assertWellFormedFilter } from './filter-check.js';
import { streamRetained } from './retained-stream.js';

type Decision = 'allow' | 'deny' | 'defer';
interface Granted {
  readonly subscription: Subscription;
  readonly qos: 0 | 1 | 2;
  readonly isNew: boolean;
}
type HookAnswer = { qos: 0 | 1 | 2 } | { reject: number } | undefined;

/**
 * SUBSCRIBE: each filter handled like its own SUBSCRIBE, answered by one SUBACK in order
 * [MQTT-3.8.4-4][MQTT-3.9.3-1], then the retained messages of each granted filter [MQTT-3.3.1-6].
 */
export function handleSubscribe(
  ctx: BrokerContext,
  client: ClientLink,
  packet: SubscribePacket,
): void | Promise<void> {
  const identity = client.identity as Identity;
  for (const s of packet.subscriptions) assertWellFormedFilter(s.topicFilter, client.protocolVersion);
  if (client.protocolVersion === 5 && (packet.properties?.subscriptionIdentifiers?.[0] ?? 1) === 0) {
    throw new ProtocolError(ReasonCode.ProtocolError, 'subscription identifier 0 (section 3.8.2.1.2)');
  }
  for (const s of packet.subscriptions) {
    if (s.noLocal === true && parseSharedSubscription(s.topicFilter) !== null) {
      throw new ProtocolError(ReasonCode.ProtocolError, 'No Local on a shared subscription', 'MQTT-3.8.3-4');
    }
  }
  const decisions = packet.subscriptions.map((s) => {
    const filter = aclFilter(s);
    return filter === undefined ? 'deny' : ctx.auth.authorizeSubscribe(identity, filter, s.qos);
  });
  if (ctx.hooks.interceptsSubscribe) {
    return Promise.all(decisions).then((answers) => intercept(ctx, client, packet, answers));
  }
  if (decisions.some((d) => typeof d !== 'string')) {
    return Promise.all(decisions).then((answers) => subscribe(ctx, client, packet, answers));
  }
  subscribe(ctx, client, packet, decisions as Decision[]);
}

/** onSubscribe interceptors may lower the QoS of an allowed filter or refuse it with their reason code. */
async function intercept(
  ctx: BrokerContext,
  client: ClientLink,
  packet: SubscribePacket,
  decisions: Decision[],
): Promise<void> {
  const overrides: HookAnswer[] = [];
  for (const [i, subscription] of packet.subscriptions.entries()) {
    if (decisions[i] !== 'allow') continue;
    const outcome = await ctx.hooks.subscribe({
      client: client.identity as Identity,
      topicFilter: subscription.topicFilter,
      qos: subscription.qos,
    });
    overrides[i] = outcome.ok ? { qos: outcome.value } : { reject: outcome.reasonCode };
  }
  if (!client.closed) subscribe(ctx, client, packet, decisions, overrides);
}

function subscribe(
  ctx: BrokerContext,
  client: ClientLink,
  packet: SubscribePacket,
  decisions: Decision[],
  overrides: HookAnswer[] = [],
): void {
  const session = client.session as Session;
  const v5 = client.protocolVersion === 5;
  const subscriptionId = packet.properties?.subscriptionIdentifiers?.[0];
  const granted: Granted[] = [];
  const reasonCodes = packet.subscriptions.map((subscription, i) => {
    const filter = subscription.topicFilter;
    if (aclFilter(subscription) === undefined) {
      return v5 ? ReasonCode.TopicFilterInvalid : ReasonCode.UnspecifiedError;
    }
    if (decisions[i] !== 'allow') return v5 ? ReasonCode.NotAuthorized : ReasonCode.UnspecifiedError;
    const hook = overrides[i];
    if (hook !== undefined && 'reject' in hook) return v5 ? hook.reject : ReasonCode.UnspecifiedError;
    // [MQTT-3.8.4-6] the grant caps what this subscription will receive.
    const qos = Math.min(hook?.qos ?? subscription.qos, ctx.settings.maxQos) as 0 | 1 | 2;
    const options = {
      qos,
      noLocal: v5 && subscription.noLocal === true,
      retainAsPublished: v5 && subscription.retainAsPublished === true,
      retainHandling: v5 ? (subscription.retainHandling ?? 0) : 0,
      subscriptionId,
    } as const;
    // [MQTT-3.8.4-3] an identical filter replaces the subscription.
    const isNew = ctx.router.subscribe(session.clientId, filter, options);
    session.subscriptions.set(filter, options);
    granted.push({ subscription, qos, isNew });
    if (ctx.hooks.observing.onSubscribed) {
      ctx.hooks.emit('onSubscribed', { client: client.identity as Identity, topicFilter: filter, qos });
    }
    return qos;
  });
  // [MQTT-3.8.4-1][MQTT-3.8.4-2] one SUBACK with the same packet id; [MQTT-3.8.4-5] one code per filter.
  // A persistent session's SUBACK waits until its subscriptions are stored; its retained messages follow it.
  whenStored(ctx, client, session, () => {
    client.send({ type: 'suback', packetId: packet.packetId, reasonCodes });
    sendRetained(ctx, client, session, subscriptionId, granted);
  });
}

/**
 * The retained messages of each granted filter follow the SUBACK, streamed as the client takes them
 * (handlers/retained-stream.ts): a set of any size arrives complete.
 */
function sendRetained(
  ctx: BrokerContext,
  client: ClientLink,
  session: Session,
  subscriptionId: number | undefined,
  granted: readonly Granted[],
): void {
  const v5 = client.protocolVersion === 5;
  for (const { subscription, qos, isNew } of granted) {
    // Shared subscriptions get no retained messages when they are made (section 4.8.2).
    if (parseSharedSubscription(subscription.topicFilter) !== null) continue;
    const handling = v5 ? (subscription.retainHandling ?? 0) : 0;
    if (handling === 2 || (handling === 1 && !isNew)) continue;
    streamRetained(ctx, session, subscription.topicFilter, qos, subscriptionId);
  }
}

/**
 * The filter access control judges: the topic filter itself, or for a shared subscription the filter inside
 * "$share/{ShareName}/" (a malformed one [MQTT-4.8.2-1][MQTT-4.8.2-2] is refused). Undefined when invalid.
 */
function aclFilter(subscription: Subscription): string | undefined {
  const filter = subscription.topicFilter;
  if (!isValidTopicFilter(filter)) return undefined;
  const shared = parseSharedSubscription(filter);
  if (shared === null) return filter;
  return shared.ok ? shared.filter : undefined;
}

import type { UnsubscribePacket } from '../protocol/types.js';
import { ReasonCode } from '../protocol/reason-codes.js';
import type { BrokerContext, ClientLink, Identity, Session } from './context.js';
import { whenStored } from './durable.js';
import { assertWellFormedFilter } from './filter-check.js';

/**
 * UNSUBSCRIBE: filters compared literally with the client's own [MQTT-3.10.4-1]; deliveries already in
 * flight finish [MQTT-3.10.4-3]; one UNSUBACK with the same id, even when nothing matched
 * [MQTT-3.10.4-4][MQTT-3.10.4-5][MQTT-3.10.4-6].
 */
export function handleUnsubscribe(ctx: BrokerContext, client: ClientLink, packet: UnsubscribePacket): void {
  for (const filter of packet.topicFilters) assertWellFormedFilter(filter, client.protocolVersion);
  const session = client.session as Session;
  const reasonCodes = packet.topicFilters.map((filter) => {
    const existed = session.subscriptions.delete(filter);
    if (existed) {
      ctx.router.unsubscribe(session.clientId, filter);
      if (ctx.hooks.observing.onUnsubscribed) {
        ctx.hooks.emit('onUnsubscribed', { client: client.identity as Identity, topicFilter: filter });
      }
    }
    return existed ? ReasonCode.Success : ReasonCode.NoSubscriptionExisted;
  });
  const unsuback = {
    type: 'unsuback',
    packetId: packet.packetId,
    reasonCodes: client.protocolVersion === 5 ? reasonCodes : undefined,
  } as const;
  whenStored(ctx, client, session, () => client.send(unsuback));
}

import type { Packet } from '../protocol/types.js';
import type { BrokerContext, ClientLink, Session } from './context.js';

/**
 * Sends an acknowledgement once everything stored so far is durable: at once without persistence or with
 * nothing pending. Group commits settle in order and each waits for all earlier writes, so a client's
 * acknowledgements keep the order of its packets [MQTT-4.6.0-2][MQTT-4.6.0-3].
 */
export function sendWhenDurable(ctx: BrokerContext, client: ClientLink, packet: Packet): void {
  const durability = ctx.durability;
  if (durability === undefined || !durability.pending) {
    client.send(packet);
    return;
  }
  durability.flush().then(
    () => client.send(packet),
    (error: unknown) => durability.failed(client, error),
  );
}

/**
 * Runs `then` once what a persistent session just stored (its session row, a subscription) is durable, so
 * an acknowledged CONNECT, SUBSCRIBE or UNSUBSCRIBE survives a crash. At once for a clean session (it stores
 * nothing), without persistence or with nothing pending; never for a client gone meanwhile.
 */
export function whenStored(ctx: BrokerContext, client: ClientLink, session: Session, then: () => void): void {
  const durability = ctx.durability;
  if (durability === undefined || !session.persistent || !durability.pending) {
    then();
    return;
  }
  durability.flush().then(
    () => {
      if (!client.closed) then();
    },
    (error: unknown) => durability.failed(client, error),
  );
}

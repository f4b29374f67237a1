import type { Packet } from '../protocol/types.js';
import type { BrokerContext, ClientLink } from './context.js';

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

import type { ClientLink } from './context.js';

/** [MQTT-3.12.4-1] every PINGREQ gets a PINGRESP. */
export function handlePingreq(client: ClientLink): void {
  client.send({ type: 'pingresp' });
}

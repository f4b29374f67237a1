import type { Packet } from '../protocol/types.js';
import { ProtocolError, ReasonCode } from '../protocol/reason-codes.js';
import type { BrokerContext, ClientLink } from '../handlers/context.js';
import { handleConnect } from '../handlers/connect.js';
import { handlePublish } from '../handlers/publish.js';
import { handlePuback, handlePubcomp, handlePubrec, handlePubrel } from '../handlers/acks.js';
import { handleSubscribe } from '../handlers/subscribe.js';
import { handleUnsubscribe } from '../handlers/unsubscribe.js';
import { handlePingreq } from '../handlers/pingreq.js';
import { handleDisconnect } from '../handlers/disconnect.js';
import { handleAuth } from '../handlers/auth.js';

/**
 * The one switch from packet type to handler. A handler returns a promise only when it must wait
 * (authentication, a database ACL); the client holds later packets back until it settles.
 */
export function dispatch(ctx: BrokerContext, client: ClientLink, packet: Packet): void | Promise<void> {
  if (!client.connected) {
    // [MQTT-3.1.0-1] the first packet is CONNECT; anything else closes the connection without CONNACK.
    if (packet.type === 'connect' && client.enhancedAuth === undefined) {
      return handleConnect(ctx, client, packet);
    }
    // Section 4.12: the CONNECT's enhanced authentication goes on in AUTH packets before CONNACK.
    if (packet.type === 'auth' && client.enhancedAuth?.exchange !== undefined) {
      return handleAuth(ctx, client, packet);
    }
    throw new ProtocolError(ReasonCode.ProtocolError, `${packet.type} before CONNECT`, 'MQTT-3.1.0-1');
  }
  switch (packet.type) {
    case 'publish':
      return handlePublish(ctx, client, packet);
    case 'puback':
      return handlePuback(client, packet);
    case 'pubrec':
      return handlePubrec(ctx, client, packet);
    case 'pubrel':
      return handlePubrel(ctx, client, packet);
    case 'pubcomp':
      return handlePubcomp(client, packet);
    case 'subscribe':
      return handleSubscribe(ctx, client, packet);
    case 'unsubscribe':
      return handleUnsubscribe(ctx, client, packet);
    case 'pingreq':
      return handlePingreq(client);
    case 'disconnect':
      return handleDisconnect(client, packet);
    case 'auth':
      return handleAuth(ctx, client, packet);
    case 'connect':
      // [MQTT-3.1.0-2] a second CONNECT is a protocol violation.
      throw new ProtocolError(ReasonCode.ProtocolError, 'second CONNECT on one connection', 'MQTT-3.1.0-2');
    case 'connack':
    case 'suback':
    case 'unsuback':
    case 'pingresp':
      throw new ProtocolError(ReasonCode.ProtocolError, `${packet.type} is sent only by a server`);
  }
}

import type { DisconnectPacket } from '../protocol/types.js';
import { ProtocolError, ReasonCode } from '../protocol/reason-codes.js';
import { NEVER_EXPIRES, type ClientLink, type Session } from './context.js';

/**
 * A client's DISCONNECT: the will is discarded [MQTT-3.14.4-3], except MQTT 5's 0x04 "disconnect with will
 * message". MQTT 5 may also change the session expiry here, but not from 0 to non-zero [MQTT-3.14.2-2].
 */
export function handleDisconnect(client: ClientLink, packet: DisconnectPacket): void {
  const session = client.session as Session;
  const expiry = packet.properties?.sessionExpiryInterval;
  if (expiry !== undefined) {
    if (session.expiryInterval === 0 && expiry !== 0) {
      throw new ProtocolError(
        ReasonCode.ProtocolError,
        'session expiry changed from 0 on DISCONNECT',
        'MQTT-3.14.2-2',
      );
    }
    session.expiryInterval = expiry > NEVER_EXPIRES ? NEVER_EXPIRES : expiry;
  }
  const withWill = client.protocolVersion === 5 && packet.reasonCode === ReasonCode.DisconnectWithWillMessage;
  client.close(withWill, 'client disconnected');
}

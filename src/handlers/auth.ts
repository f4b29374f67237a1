import type { AuthPacket } from '../protocol/types.js';
import { ProtocolError, ReasonCode } from '../protocol/reason-codes.js';

/**
 * MQTT 5 AUTH. No enhanced authentication method is offered yet, so an AUTH packet is a Protocol Error
 * (section 4.12): a client may only send AUTH after its CONNECT named an authentication method.
 */
export function handleAuth(_packet: AuthPacket): never {
  throw new ProtocolError(ReasonCode.ProtocolError, 'AUTH without an authentication method in CONNECT');
}

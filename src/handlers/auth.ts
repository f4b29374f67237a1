// MQTT 5 enhanced authentication (section 4.12): the AUTH exchange of a CONNECT, and re-authentication of a
// connected client. The method itself (SCRAM, ...) belongs to an AuthProvider; this file only runs the turns.
import type { AuthPacket } from '../protocol/types.js';
import { ProtocolError, ReasonCode } from '../protocol/reason-codes.js';
import type { EnhancedAuthConversation } from '../auth/types.js';
import type { AuthResult, BrokerContext, ClientLink, EnhancedAuthState, Identity } from './context.js';

type Finish = NonNullable<EnhancedAuthState['exchange']>['finish'];

/** Starts an exchange with the client's first Authentication Data (from CONNECT or AUTH 0x19). */
export function beginEnhancedAuth(
  client: ClientLink,
  method: string,
  conversation: EnhancedAuthConversation,
  data: Buffer | undefined,
  handlers: { finish: Finish },
): Promise<void> {
  client.enhancedAuth = { method, exchange: { conversation, finish: handlers.finish } };
  return advance(client, data);
}

/** One turn: the provider either wants more (AUTH 0x18 [MQTT-4.12.0-2]) or has decided. */
async function advance(client: ClientLink, data: Buffer | undefined): Promise<void> {
  const state = client.enhancedAuth as EnhancedAuthState;
  const exchange = state.exchange as NonNullable<EnhancedAuthState['exchange']>;
  const step = await exchange.conversation.step(data);
  if (client.closed) return;
  if (step.kind === 'continue') {
    client.send({
      type: 'auth',
      reasonCode: ReasonCode.ContinueAuthentication,
      // [MQTT-4.12.0-5] every AUTH carries the method of the exchange.
      properties: { authenticationMethod: state.method, authenticationData: step.data },
    });
    return;
  }
  state.exchange = undefined;
  await exchange.finish(step.result, step.data);
}

/** An AUTH packet from the client: the next turn of an exchange, or 0x19 to re-authenticate. */
export function handleAuth(ctx: BrokerContext, client: ClientLink, packet: AuthPacket): void | Promise<void> {
  const state = client.enhancedAuth;
  if (state === undefined) {
    // [MQTT-4.12.0-7] a client whose CONNECT named no method sends no AUTH.
    throw new ProtocolError(
      ReasonCode.ProtocolError,
      'AUTH without an authentication method in CONNECT',
      'MQTT-4.12.0-7',
    );
  }
  const method = packet.properties?.authenticationMethod;
  if (method !== state.method) {
    throw new ProtocolError(
      ReasonCode.ProtocolError,
      'AUTH with another Authentication Method than CONNECT',
      'MQTT-4.12.1-1',
    );
  }
  const data = packet.properties?.authenticationData;
  const reasonCode = packet.reasonCode ?? ReasonCode.Success;
  if (reasonCode === ReasonCode.ContinueAuthentication && state.exchange !== undefined) {
    return advance(client, data);
  }
  if (reasonCode === ReasonCode.ReAuthenticate && client.connected && state.exchange === undefined) {
    const identity = client.identity as Identity;
    const conversation = ctx.auth.startEnhancedAuth(method, identity);
    if (conversation === undefined) {
      client.close(true, 're-authentication method gone', ReasonCode.BadAuthenticationMethod);
      return;
    }
    return beginEnhancedAuth(client, method, conversation, data, {
      finish: (verdict, serverData) => reauthenticated(ctx, client, verdict, serverData),
    });
  }
  throw new ProtocolError(ReasonCode.ProtocolError, `AUTH reason code ${reasonCode} out of turn`);
}

/**
 * Re-authentication ended: success is AUTH 0x00; failure, or a different user than the connection's, closes
 * the connection with DISCONNECT [MQTT-4.12.1-2].
 */
function reauthenticated(
  ctx: BrokerContext,
  client: ClientLink,
  verdict: AuthResult,
  data: Buffer | undefined,
): void {
  const identity = client.identity as Identity;
  const sameUser = verdict.username === undefined || verdict.username === identity.username;
  if (verdict.decision !== 'allow' || !sameUser) {
    ctx.log.info({ clientId: identity.clientId }, 're-authentication failed');
    client.close(true, 're-authentication failed', verdict.reasonCode ?? ReasonCode.NotAuthorized);
    return;
  }
  const method = (client.enhancedAuth as EnhancedAuthState).method;
  client.send({
    type: 'auth',
    reasonCode: ReasonCode.Success,
    properties: { authenticationMethod: method, authenticationData: data },
  });
}

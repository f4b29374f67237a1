import type { ConnectPacket, Properties } from '../protocol/types.js';
import { ProtocolError, ReasonCode, connackReturnCodeFor } from '../protocol/reason-codes.js';
import { isValidTopicName } from '../topic/validate.js';
import type { AuthResult, BrokerContext, ClientLink, Identity } from './context.js';
import { beginEnhancedAuth } from './auth.js';
import { REFUSED, peerOf } from '../observability/connection-log.js';

/** Validate, authenticate, take over a live connection, open the session and answer CONNACK. */
export async function handleConnect(
  ctx: BrokerContext,
  client: ClientLink,
  packet: ConnectPacket,
): Promise<void> {
  const version = packet.protocolVersion;
  const { settings } = ctx;
  let clientId = packet.clientId;
  let assigned = false;
  if (clientId.length > 0) client.claimedClientId = clientId;

  if (clientId.length === 0) {
    // [MQTT-3.1.3-8] 3.1.1 needs CleanSession=1 with an empty id; MQTT 3.1 never allowed one.
    if (version === 3 || (version === 4 && !packet.clean) || !settings.allowZeroLengthClientId) {
      return refuse(ctx, client, ReasonCode.ClientIdentifierNotValid, 'MQTT-3.1.3-8');
    }
    clientId = ctx.assignClientId(); // [MQTT-3.1.3-6]
    assigned = true;
  }
  // MQTT 3.1 limited client ids to 23 characters; mosquitto dropped that check in 2014 (its STRICT_PROTOCOL
  // build option) and accepts longer 3.1 ids, which clients such as phpMQTT send: so does Midge.

  const redirect = settings.redirect;
  if (redirect !== undefined) {
    // Section 4.11: MQTT 5 clients learn where to go (0x9C temporary, 0x9D permanent); 3.1.1 gets 0x03.
    return refuse(ctx, client, redirect.reasonCode, 'server redirection', {
      serverReference: redirect.serverReference,
    });
  }

  if (ctx.memory?.full === true) {
    // memory_limit reached: MQTT 5 0x97 Quota exceeded, 3.1.1 0x03 Server unavailable.
    return refuse(ctx, client, ReasonCode.QuotaExceeded, 'memory_limit');
  }

  if (settings.clientIdPrefixes !== '' && !clientId.startsWith(settings.clientIdPrefixes)) {
    return refuse(ctx, client, ReasonCode.NotAuthorized, 'clientid_prefixes');
  }

  const will = packet.will;
  if (will !== undefined) {
    if (!isValidTopicName(will.topic)) {
      throw new ProtocolError(
        ReasonCode.TopicNameInvalid,
        'will topic is not a valid topic name',
        'MQTT-3.1.3-10',
      );
    }
    if (version === 5 && will.qos > settings.maxQos) {
      return refuse(ctx, client, ReasonCode.QoSNotSupported, 'MQTT-3.2.2-12');
    }
    if (version === 5 && will.retain && !settings.retainAvailable) {
      return refuse(ctx, client, ReasonCode.RetainNotSupported, 'MQTT-3.2.2-13');
    }
  }

  let keepalive = packet.keepalive;
  let serverKeepAlive: number | undefined;
  if (settings.maxKeepalive > 0 && keepalive > settings.maxKeepalive) {
    // MQTT 5 lets the server impose its keep alive; 3.1.1 has no way, so mosquitto refuses such clients.
    if (version !== 5) return refuse(ctx, client, ReasonCode.ClientIdentifierNotValid, 'max_keepalive');
    keepalive = settings.maxKeepalive;
    serverKeepAlive = keepalive;
  }

  let username = packet.username;
  if (client.identityAsUsername) {
    // use_identity_as_username (mosquitto): the verified certificate authenticates the client and its CN is
    // the username every ACL check sees; the CONNECT's username and password are not used.
    if (client.certificateName === undefined) {
      return refuse(
        ctx,
        client,
        ReasonCode.BadUserNameOrPassword,
        'use_identity_as_username: no certificate',
      );
    }
    username = client.certificateName;
  }
  const identity: Identity = {
    clientId,
    username,
    remoteAddress: client.remoteAddress,
    listenerId: client.listenerId,
  };
  const admission: Admission = { clientId, assigned, keepalive, serverKeepAlive, identity };
  const method = version === 5 ? packet.properties?.authenticationMethod : undefined;
  if (method !== undefined && !client.identityAsUsername) {
    const conversation = ctx.auth.startEnhancedAuth(method, identity);
    if (conversation === undefined) {
      // [MQTT-4.12.0-1] a method no provider offers: CONNACK 0x8C, then close.
      return refuse(ctx, client, ReasonCode.BadAuthenticationMethod, 'MQTT-4.12.0-1');
    }
    return beginEnhancedAuth(client, method, conversation, packet.properties?.authenticationData, {
      finish: (verdict, data) =>
        admit(ctx, client, packet, { ...admission, method, authData: data }, verdict),
    });
  }
  const verdict = client.identityAsUsername
    ? { decision: 'allow' as const, superuser: false }
    : await ctx.auth.authenticate({ ...identity, password: packet.password });
  return admit(ctx, client, packet, admission, verdict);
}

/** What handleConnect settled before authentication, for admit() to finish the CONNECT with. */
interface Admission {
  readonly clientId: string;
  readonly assigned: boolean;
  readonly keepalive: number;
  readonly serverKeepAlive: number | undefined;
  readonly identity: Identity;
  /** Enhanced authentication: the method, and the data for the CONNACK [MQTT-4.12.0-5]. */
  readonly method?: string;
  readonly authData?: Buffer;
}

/** Authentication has answered: refuse, or take over, open the session and send CONNACK. */
async function admit(
  ctx: BrokerContext,
  client: ClientLink,
  packet: ConnectPacket,
  admission: Admission,
  verdict: AuthResult,
): Promise<void> {
  const { clientId, assigned, keepalive, serverKeepAlive } = admission;
  const version = packet.protocolVersion;
  const { settings } = ctx;
  const will = packet.will;
  if (client.closed) return; // the client left while its credentials were checked
  if (verdict.decision !== 'allow') {
    if (ctx.hooks.observing.onAuthFailed) {
      ctx.hooks.emit('onAuthFailed', { client: admission.identity, reasonCode: verdict.reasonCode ?? 0x86 });
    }
    return refuse(ctx, client, verdict.reasonCode ?? ReasonCode.BadUserNameOrPassword, 'authentication');
  }
  // Enhanced authentication names the user inside its exchange.
  const identity: Identity =
    verdict.username === undefined
      ? admission.identity
      : { ...admission.identity, username: verdict.username };
  if (verdict.superuser) identity.superuser = true;
  if (will !== undefined) {
    // Like mosquitto 2: a will the client may not publish refuses the connection now, not silently later.
    const allowed = await ctx.auth.authorizePublish(identity, will.topic, will.qos, will.retain);
    if (client.closed) return;
    if (allowed !== 'allow')
      return refuse(ctx, client, ReasonCode.NotAuthorized, 'will topic not authorized');
  }

  if (ctx.hooks.interceptsConnect) {
    const outcome = await ctx.hooks.connect({
      client: identity,
      protocolVersion: version,
      clean: packet.clean,
      keepalive,
    });
    if (client.closed) return;
    if (!outcome.ok) return refuse(ctx, client, outcome.reasonCode, outcome.reason);
  }

  // In a cluster the id is claimed cluster-wide first: a connection holding it on another node is closed.
  const moved = ctx.cluster === undefined ? undefined : await ctx.cluster.claim(clientId, packet.clean);
  if (client.closed) return;

  takeOver(ctx, client, clientId);

  const properties = packet.properties;
  const expiry =
    version === 5
      ? (properties?.sessionExpiryInterval ?? 0)
      : packet.clean
        ? 0
        : settings.persistentClientExpiration;
  const opened = ctx.sessions.open(clientId, packet.clean, expiry);
  const session = opened.session;
  ctx.cluster?.opened(session, moved);
  // A session handed over by the node the client was on before counts as present [MQTT-3.2.2-2].
  const present = opened.present || moved !== undefined;
  // [MQTT-3.1.3-9] a will still waiting for its delay is not sent once the session has a connection again.
  ctx.wills.cancel(clientId);
  // The will may outlive this connection's read buffer by its delay: it keeps its own copy of the payload.
  client.will = will === undefined ? undefined : { ...will, payload: Buffer.from(will.payload) };
  ctx.sessions.keepWill(clientId, client.will); // a persistent session stores it: a crash publishes it
  const durability = ctx.durability;
  if (durability !== undefined && session.persistent && durability.pending) {
    // CONNACK (Session Present, or the new session) is an acknowledgement too: it waits until the session is
    // stored, so a session the client was told about survives a crash.
    try {
      await durability.flush();
    } catch (error) {
      durability.failed(client, error);
      return;
    }
    if (client.closed) {
      // Gone before CONNACK: the session it opened starts its expiry, unless a newer connection holds it.
      if (ctx.sessions.get(clientId) === session && !session.online) ctx.sessions.release(session);
      return;
    }
    // A clean start for this id while we waited replaced the session: that connection has it now.
    if (ctx.sessions.get(clientId) !== session) {
      client.close(false, 'session taken over');
      return;
    }
    // A CONNECT that resumed the same session meanwhile waits behind this one and takes over after it.
    takeOver(ctx, client, clientId);
  }

  const connackProperties: Properties | undefined =
    version === 5
      ? connackPropertiesFor(ctx, client, assigned ? clientId : undefined, serverKeepAlive)
      : undefined;
  if (connackProperties !== undefined && properties?.requestResponseInformation === 1) {
    const responseInformation = responseInformationFor(clientId);
    if (responseInformation !== undefined) connackProperties.responseInformation = responseInformation;
  }
  if (connackProperties !== undefined && admission.method !== undefined) {
    // [MQTT-4.12.0-5] the successful CONNACK names the method of the exchange.
    connackProperties.authenticationMethod = admission.method;
    if (admission.authData !== undefined) connackProperties.authenticationData = admission.authData;
  }
  // [MQTT-3.2.2-1..3] Session Present only when a stored session resumes. MQTT 3.1 has no such flag: its
  // first CONNACK byte is reserved and stays 0 (as mosquitto does).
  client.send({
    type: 'connack',
    sessionPresent: version !== 3 && present && !packet.clean,
    reasonCode: 0,
    properties: connackProperties,
  });
  client.accept(
    identity,
    session,
    keepalive,
    properties?.receiveMaximum ?? 65535,
    properties?.maximumPacketSize ?? 0,
    properties?.topicAliasMaximum ?? 0,
  );
  ctx.connectionLog?.accepted({
    remoteAddress: peerOf(client.remoteAddress, client.remotePort),
    clientId,
    protocolVersion: version,
    clean: packet.clean,
    keepalive,
    username: identity.username,
  });
  ctx.log.debug(
    {
      clientId,
      version,
      clean: packet.clean,
      present,
      remote: client.remoteAddress,
      username: identity.username,
    },
    'client connected',
  );
  if (ctx.hooks.observing.onConnected) {
    ctx.hooks.emit('onConnected', { client: identity, protocolVersion: version, sessionPresent: present });
  }
}

/** [MQTT-3.1.4-2] a second connection with this client id takes over: the first one is closed. */
function takeOver(ctx: BrokerContext, client: ClientLink, clientId: string): void {
  const previous = ctx.clients.get(clientId);
  if (previous !== undefined && previous !== client) {
    previous.close(true, 'session taken over', ReasonCode.SessionTakenOver);
  }
}

function connackPropertiesFor(
  ctx: BrokerContext,
  client: ClientLink,
  assignedId: string | undefined,
  serverKeepAlive: number | undefined,
): Properties {
  const { settings } = ctx;
  const properties: Properties = {
    receiveMaximum: settings.receiveMaximum,
    topicAliasMaximum: client.topicAliasMaximum,
    wildcardSubscriptionAvailable: 1,
    subscriptionIdentifiersAvailable: 1,
  };
  if (settings.maxPacketSize > 0 && settings.maxPacketSize < 268435460)
    properties.maximumPacketSize = settings.maxPacketSize;
  if (!settings.retainAvailable) properties.retainAvailable = 0;
  if (settings.maxQos < 2) properties.maximumQoS = settings.maxQos;
  if (assignedId !== undefined) properties.assignedClientIdentifier = assignedId; // [MQTT-3.2.2-16]
  if (serverKeepAlive !== undefined) properties.serverKeepAlive = serverKeepAlive;
  return properties;
}

/**
 * Section 4.10: Response Information, only when the client asked for it ([MQTT-3.1.2-28] forbids it otherwise),
 * is the base of a response topic private to this client id. An id that could not be one topic level (empty,
 * or holding '/', '+' or '#') gets none rather than a base that crosses into another client's tree.
 */
function responseInformationFor(clientId: string): string | undefined {
  if (clientId.length === 0 || /[/+#]/.test(clientId)) return undefined;
  return `response/${clientId}`;
}

/** CONNACK with a failure code, then close [MQTT-3.2.2-5]; Session Present is 0 [MQTT-3.2.2-4]. */
function refuse(
  ctx: BrokerContext,
  client: ClientLink,
  reasonCode: number,
  why: string,
  properties?: Properties,
): void {
  const version = client.protocolVersion;
  client.send({
    type: 'connack',
    sessionPresent: false,
    reasonCode: version === 5 ? reasonCode : connackReturnCodeFor(reasonCode),
    properties: version === 5 ? properties : undefined,
  });
  ctx.log.debug({ remote: client.remoteAddress, reasonCode, why }, 'connection refused');
  ctx.connectionLog?.refused(
    {
      remoteAddress: peerOf(client.remoteAddress, client.remotePort),
      clientId: undefined,
      claimedClientId: client.claimedClientId,
    },
    reasonCode,
    why,
  );
  client.close(false, `${REFUSED}${why}`);
}

import type { Packet, ProtocolVersion, Will } from '../protocol/types.js';
import { FrameDecoder } from '../protocol/decoder.js';
import { encode } from '../protocol/encoder.js';
import { ACK_PACKET_ID_OFFSET, ACK_TEMPLATE, ackFirstByte, isPlainAck } from '../protocol/ack-frame.js';
import {
  checkedPacketId,
  encodePublishFrame,
  stampedFirstByte,
  type PublishFrame,
} from '../protocol/publish-frame.js';
import { ReasonCode } from '../protocol/reason-codes.js';
import type { Connection, ConnectionSink } from '../transport/types.js';
import type { Outgoing, SessionOutlet, UnsentReason } from '../session/types.js';
import type {
  BrokerContext,
  ClientLink,
  ClientTraffic,
  EnhancedAuthState,
  Identity,
  Session,
} from '../handlers/context.js';
import { dispatch } from './dispatch.js';
import { closeForError } from './errors.js';
import { httpBadRequest, sniffForeignProtocol, webSocketHint } from './foreign-protocol.js';
import { encodeOutgoing, frameIndex } from './outgoing.js';
import { InboundTopicAliases, OutboundTopicAliases } from '../session/topic-alias.js';
import { REFUSED, peerOf } from '../observability/connection-log.js';

/** Above this many bytes waiting in the socket, QoS 0 messages for this client are dropped. */
const CONGESTED_BYTES = 4 * 1024 * 1024;
/**
 * A pulled stream (the retained messages of a new subscription) writes while less than this waits for the socket.
 * Small enough that one turn writes a bounded amount, at least the socket's high water mark (16 KiB) so the
 * socket reports a drain that pulls the next part; live QoS 0 traffic still has room up to CONGESTED_BYTES.
 */
const STREAM_BYTES = 128 * 1024;
/**
 * Payloads this large are not copied into the encoded frames: the bytes before them are, and the socket gets the
 * payload itself (copying 16 KiB payloads was 14% of the broker's CPU in the 16 KiB benchmark).
 */
const SHARE_PAYLOAD_FROM = 4096;
/** Packets held while a handler awaits; past this the socket is paused so memory stays bounded. */
const BACKLOG_PAUSE = 256;

export interface ClientOptions {
  maxPacketSize: number;
  /** A connection that sends no CONNECT within this time is closed. */
  connectTimeoutMs: number;
  /** Topic Alias Maximum offered to MQTT 5 clients of this listener (max_topic_alias; 0 = none). */
  topicAliasMaximum: number;
}

/**
 * One connection's life: bytes in through the decoder, packets to the handlers in order, keepalive,
 * the will, and bytes out. The session it attaches to outlives it.
 */
export class Client implements ClientLink, SessionOutlet, ConnectionSink {
  connected = false;
  identity: Identity | undefined;
  session: Session | undefined;
  claimedClientId: string | undefined;
  will: Will | undefined;
  enhancedAuth: EnhancedAuthState | undefined;
  topicAliases: InboundTopicAliases | undefined;
  readonly topicAliasMaximum: number;
  /** Aliases this server assigns on the PUBLISH packets it sends, when the client accepts any. */
  #aliasesOut: OutboundTopicAliases | undefined;
  readonly traffic: ClientTraffic = {
    bytesIn: 0,
    bytesOut: 0,
    packetsIn: 0,
    packetsOut: 0,
    publishIn: 0,
    publishOut: 0,
  };
  connectedAt = 0;
  keepalive = 0;
  readonly #ctx: BrokerContext;
  readonly #connection: Connection;
  readonly #decoder: FrameDecoder;
  #closed = false;
  /** Set while a handler awaits (authentication, a database ACL); later packets wait in the backlog. */
  #pending: Promise<void> | undefined;
  /** Made when a packet first has to wait. */
  #backlog: Packet[] | undefined;
  #lastSeen = Date.now();
  #keepaliveMs = 0;
  #timer: NodeJS.Timeout | undefined;
  /** MQTT 5 Maximum Packet Size of the client; 0 = the protocol maximum. */
  #maxOutbound = 0;

  constructor(ctx: BrokerContext, connection: Connection, options: ClientOptions) {
    this.#ctx = ctx;
    this.#connection = connection;
    this.#decoder = new FrameDecoder({ maxPacketSize: options.maxPacketSize, role: 'server' });
    this.topicAliasMaximum = options.topicAliasMaximum;
    // One sink object and shared timer callbacks instead of closures per connection: an idle connection's
    // memory is mostly such small objects (heap snapshot of 4,000 idle connections).
    connection.attach(this);
    this.#timer = setTimeout(Client.#onTimer, options.connectTimeoutMs, this);
    this.#timer.unref();
  }

  /** The connect timeout, then the keep alive check once connected. */
  static #onTimer(client: Client): void {
    if (client.connected) client.#checkKeepalive();
    else client.close(false, 'no CONNECT in time');
  }

  onConnectionData(chunk: Buffer): void {
    this.#lastSeen = Date.now();
    this.#ctx.stats.bytesReceived += chunk.length;
    this.traffic.bytesIn += chunk.length;
    try {
      this.#decoder.push(chunk, this.#onPacket);
    } catch (error) {
      // Only when the first chunk did not decode: is it HTTP or TLS at an MQTT port?
      if (this.traffic.bytesIn === chunk.length && this.#answerForeign(chunk)) return;
      this.#fail(error);
    }
  }

  /** Answers an HTTP request with 400 and the WebSocket port, logs a TLS handshake; true when it was either. */
  #answerForeign(chunk: Buffer): boolean {
    const kind = sniffForeignProtocol(chunk);
    if (kind === undefined) return false;
    const ctx = this.#ctx;
    const remote = this.remoteAddress;
    if (kind === 'http') {
      ctx.log.info(
        { remote, listener: this.listenerId },
        `HTTP request from ${remote} on an MQTT TCP listener: answered 400. ${webSocketHint(ctx.settings.websocketPorts)}`,
      );
      this.#connection.write(httpBadRequest(ctx.settings.websocketPorts));
    } else {
      ctx.log.info(
        { remote, listener: this.listenerId },
        `TLS handshake from ${remote} on a plain (non-TLS) MQTT listener: closed. Connect without TLS, or give this listener certfile and keyfile.`,
      );
    }
    // Already logged above, in one line that says what to do: the connection log does not repeat it.
    this.close(
      false,
      `${REFUSED}${kind === 'http' ? 'HTTP request on an MQTT port' : 'TLS on a plain MQTT port'}`,
    );
    return true;
  }

  onConnectionDrain(): void {
    this.session?.pump();
  }

  onConnectionClose(): void {
    this.close(true, 'connection lost');
  }

  get protocolVersion(): ProtocolVersion | undefined {
    return this.#decoder.protocolVersion;
  }

  get remoteAddress(): string {
    return this.#connection.remoteAddress;
  }

  get remotePort(): number {
    return this.#connection.remotePort;
  }

  get listenerId(): string {
    return this.#connection.listenerId;
  }

  get certificateName(): string | undefined {
    return this.#connection.certificateName;
  }

  get identityAsUsername(): boolean {
    return this.#connection.identityAsUsername;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get congested(): boolean {
    return this.#connection.bufferedBytes > CONGESTED_BYTES;
  }

  get streamable(): boolean {
    return !this.#closed && this.#connection.bufferedBytes < STREAM_BYTES;
  }

  readonly #onPacket = (packet: Packet): void => {
    // [MQTT-3.1.4-5] nothing after a refused CONNECT (or any close) is processed.
    if (this.#closed) return;
    this.#ctx.stats.messagesReceived++;
    this.traffic.packetsIn++;
    if (packet.type === 'publish') this.traffic.publishIn++;
    if (this.#pending === undefined) {
      this.#run(packet);
      return;
    }
    if ((this.#backlog ??= []).push(packet) === BACKLOG_PAUSE) this.#connection.pause();
  };

  #run(packet: Packet): void {
    let result: void | Promise<void>;
    try {
      result = dispatch(this.#ctx, this, packet);
    } catch (error) {
      this.#fail(error);
      return;
    }
    if (result !== undefined) {
      this.#pending = result;
      // Only packets whose handler awaits (CONNECT, a cache miss) get these closures; QoS 0 PUBLISH never.
      result.then(
        () => this.#resume(),
        (error: unknown) => this.#fail(error),
      );
    }
  }

  #resume(): void {
    this.#pending = undefined;
    const backlog = this.#backlog;
    if (backlog === undefined) return;
    const wasPaused = backlog.length >= BACKLOG_PAUSE;
    while (this.#pending === undefined && !this.#closed && backlog.length > 0) {
      this.#run(backlog.shift() as Packet);
    }
    if (wasPaused && backlog.length < BACKLOG_PAUSE && !this.#closed) this.#connection.resume();
  }

  #fail(error: unknown): void {
    this.#pending = undefined;
    this.#backlog = undefined;
    closeForError(this, this.#ctx.log, error);
  }

  send(packet: Packet): void {
    if (this.#closed) return;
    if (isPlainAck(packet)) {
      this.#count(ACK_TEMPLATE.length);
      this.#connection.writePatched(
        ACK_TEMPLATE,
        ackFirstByte(packet),
        ACK_PACKET_ID_OFFSET,
        packet.packetId,
      );
      return;
    }
    this.#write(encode(packet, this.protocolVersion ?? 4));
  }

  #write(bytes: Buffer): void {
    this.#count(bytes.length);
    this.#connection.write(bytes);
  }

  #count(length: number): void {
    this.#ctx.stats.bytesSent += length;
    this.#ctx.stats.messagesSent++;
    this.traffic.bytesOut += length;
    this.traffic.packetsOut++;
  }

  /** The same encoded frame goes to every subscriber of a version/QoS/retain variant; QoS > 0 patches the id. */
  sendPublish(outgoing: Outgoing, packetId: number | undefined, dup: boolean): UnsentReason | undefined {
    if (this.#closed) return 'disconnected';
    const version = this.protocolVersion as ProtocolVersion;
    const message = outgoing.message;
    let bytes: Buffer;
    /** A large payload that follows `bytes` uncopied (the frame shares it). */
    let payload: Buffer | undefined;
    /** Set when `bytes` is a shared frame that goes out with this delivery's packet id patched in. */
    let frame: PublishFrame | undefined;
    const aliases = this.#aliasesOut;
    const alias = aliases === undefined ? undefined : aliases.lookup(message.topic);
    const index = alias === undefined ? frameIndex(version, outgoing) : -1;
    if (index >= 0) {
      const frames = (message.frames ??= []);
      const cached = (frames[index] ??= encodePublishFrame(
        {
          type: 'publish',
          topic: message.topic,
          payload: message.payload,
          qos: outgoing.qos,
          retain: outgoing.retain,
          dup: false,
          packetId: outgoing.qos === 0 ? undefined : 1,
          properties: version === 5 ? message.properties : undefined,
        },
        version,
        SHARE_PAYLOAD_FROM,
      ));
      bytes = cached.bytes;
      payload = cached.payload;
      if (packetId !== undefined && cached.packetIdOffset >= 0) frame = cached;
    } else {
      const encoded = encodeOutgoing(outgoing, version, packetId, dup, Date.now(), alias);
      if (encoded === undefined) return 'expired'; // [MQTT-3.3.2-5]
      bytes = encoded;
    }
    // MQTT 5: never send a packet larger than the client's Maximum Packet Size; drop it [MQTT-3.1.2-25].
    const length = payload === undefined ? bytes.length : bytes.length + payload.length;
    // The session reports the drop (once, with this reason).
    if (this.#maxOutbound > 0 && length > this.#maxOutbound) return 'too_large';
    // The client learns an alias from the PUBLISH that carries it with the topic: only one that went out counts.
    if (alias !== undefined && !alias.known) aliases?.commit(message.topic, alias.alias);
    this.#ctx.stats.publishSent++;
    this.#ctx.stats.sentByQos[outgoing.qos]++;
    this.#ctx.stats.publishBytesSent += message.payload.length;
    this.traffic.publishOut++;
    this.#count(length);
    const connection = this.#connection;
    if (frame === undefined) connection.write(bytes);
    else {
      // The shared bytes go out with this delivery's id and DUP flag patched in as they are written: no copy of
      // the frame per delivery [MQTT-3.3.1-1] [MQTT-3.3.1-3].
      connection.writePatched(
        bytes,
        stampedFirstByte(frame, dup),
        frame.packetIdOffset,
        checkedPacketId(packetId as number),
      );
    }
    if (payload !== undefined) connection.write(payload);
    return undefined;
  }

  sendPubrel(packetId: number): void {
    this.send({ type: 'pubrel', packetId });
  }

  accept(
    identity: Identity,
    session: Session,
    keepalive: number,
    receiveMaximum: number,
    maximumPacketSize: number,
    topicAliasMaximum = 0,
  ): void {
    if (this.#closed) return;
    if (this.protocolVersion === 5) {
      // [MQTT-3.3.2-7] aliases live as long as this connection, in both directions.
      if (this.topicAliasMaximum > 0) this.topicAliases = new InboundTopicAliases(this.topicAliasMaximum);
      // [MQTT-3.1.2-27] a client that sent no Topic Alias Maximum (or 0) gets no aliases.
      if (topicAliasMaximum > 0) this.#aliasesOut = new OutboundTopicAliases(topicAliasMaximum);
    }
    this.identity = identity;
    this.session = session;
    session.identity = identity;
    this.connected = true;
    this.connectedAt = Date.now();
    this.keepalive = keepalive;
    this.#maxOutbound = maximumPacketSize;
    this.#ctx.clients.set(identity.clientId, this);
    this.#ctx.stats.connected();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (keepalive > 0) {
      // [MQTT-3.1.2-24] silence for one and a half keep alive periods closes the connection.
      this.#keepaliveMs = keepalive * 1500;
      this.#armKeepalive(this.#keepaliveMs);
    }
    session.attach(this, receiveMaximum);
  }

  #armKeepalive(delay: number): void {
    this.#timer = setTimeout(Client.#onTimer, delay, this);
    this.#timer.unref();
  }

  #checkKeepalive(): void {
    const idle = Date.now() - this.#lastSeen;
    if (idle >= this.#keepaliveMs) this.close(true, 'keepalive timeout', ReasonCode.KeepAliveTimeout);
    else this.#armKeepalive(this.#keepaliveMs - idle);
  }

  close(publishWill: boolean, reason: string, disconnectReasonCode?: number): void {
    if (this.#closed) return;
    const ctx = this.#ctx;
    ctx.connectionLog?.closed(
      {
        remoteAddress: peerOf(this.remoteAddress, this.remotePort),
        clientId: this.connected ? this.identity?.clientId : undefined,
        claimedClientId: this.claimedClientId,
      },
      reason,
    );
    if (this.connected && disconnectReasonCode !== undefined && this.protocolVersion === 5) {
      this.send({ type: 'disconnect', reasonCode: disconnectReasonCode });
    }
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.connected) {
      this.connected = false;
      const identity = this.identity as Identity;
      if (ctx.clients.get(identity.clientId) === this) ctx.clients.delete(identity.clientId);
      ctx.stats.disconnected();
      const session = this.session as Session;
      const orphans = session.takeShared();
      ctx.sessions.release(session);
      for (const outgoing of orphans) {
        // Another member of the group takes it; with none, the session keeps it if it lives on.
        const { sharedGroup, message } = outgoing;
        if (!ctx.router.redeliverShared(sharedGroup as string, message, identity.clientId)) {
          if (ctx.sessions.get(identity.clientId) === session) session.deliver(outgoing);
        }
      }
      if (ctx.hooks.observing.onDisconnected) ctx.hooks.emit('onDisconnected', { client: identity, reason });
      const will = this.will;
      this.will = undefined;
      // [MQTT-3.1.2-8] the will goes out when the connection ends without DISCONNECT; [MQTT-3.1.2-10] once.
      // MQTT 5 may delay it, but never past the end of the session [MQTT-3.1.3-9].
      if (publishWill && will !== undefined) {
        const delay = will.properties?.willDelayInterval ?? 0;
        ctx.wills.schedule(identity.clientId, will, Math.min(delay, session.expiryInterval));
      }
      ctx.log.debug({ clientId: identity.clientId, reason }, 'client disconnected');
    }
    this.#connection.close();
  }
}

// Conversation helpers shared by the conformance suites: a pool that closes every client a test opened,
// unique client ids and topics, and the SUBSCRIBE / PUBLISH exchanges most tests begin with.
import assert from 'node:assert/strict';
import { RawClient } from '../helpers/raw-client.js';
import type {
  ConnackPacket,
  Packet,
  Properties,
  ProtocolVersion,
  PublishPacket,
  QoS,
  Will,
} from '../../src/protocol/types.js';

/** How long to wait for a packet that must not come. */
export const QUIET_MS = 250;

let sequence = 0;

/** A client id (or topic level) no other test uses: letters and digits only [MQTT-3.1.3-5]. */
export function uid(prefix = 'c'): string {
  sequence++;
  return `${prefix}${process.pid.toString(36)}${sequence.toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

let nextPacketId = 0;

/** A packet identifier for a client-originated packet: never 0 [MQTT-2.3.1-1]. */
export function packetId(): number {
  nextPacketId = (nextPacketId % 65535) + 1;
  return nextPacketId;
}

export function text(packet: PublishPacket): string {
  return packet.payload.toString('utf8');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface ConnectOptions {
  version?: ProtocolVersion;
  clean?: boolean;
  keepalive?: number;
  extra?: Record<string, unknown>;
}

/** Opens clients for one test file and closes every one of them after each test, however it ended. */
export class ClientPool {
  readonly #open: RawClient[] = [];
  port = 0;

  /** Open, CONNECT, expect CONNACK 0. */
  async connect(clientId: string, options: ConnectOptions = {}): Promise<RawClient> {
    const client = await RawClient.connected(this.port, clientId, options);
    this.#open.push(client);
    return client;
  }

  /** A bare TCP connection: nothing sent yet. */
  async open(version: ProtocolVersion = 4): Promise<RawClient> {
    const client = await RawClient.open(this.port, version);
    this.#open.push(client);
    return client;
  }

  /** Drops every connection without DISCONNECT. */
  closeAll(): void {
    for (const client of this.#open.splice(0)) client.destroy();
  }
}

/** SUBSCRIBE and wait for its SUBACK; returns the return codes. */
export async function subscribe(
  client: RawClient,
  filters: string | [filter: string, qos: QoS][],
  qos: QoS = 0,
): Promise<number[]> {
  const list = typeof filters === 'string' ? [[filters, qos] as [string, QoS]] : filters;
  const id = packetId();
  client.send({
    type: 'subscribe',
    packetId: id,
    subscriptions: list.map(([topicFilter, q]) => ({ topicFilter, qos: q })),
  });
  const suback = await client.expect('suback');
  assert.equal(suback.packetId, id, 'SUBACK echoes the SUBSCRIBE packet identifier');
  return suback.reasonCodes;
}

/** UNSUBSCRIBE and wait for its UNSUBACK. */
export async function unsubscribe(client: RawClient, ...topicFilters: string[]): Promise<void> {
  const id = packetId();
  client.send({ type: 'unsubscribe', packetId: id, topicFilters });
  const unsuback = await client.expect('unsuback');
  assert.equal(unsuback.packetId, id, 'UNSUBACK echoes the UNSUBSCRIBE packet identifier');
}

export interface PublishOptions {
  qos?: QoS;
  retain?: boolean;
  dup?: boolean;
  packetId?: number;
}

/**
 * PUBLISH and, for QoS 1 and 2, run the whole acknowledgement flow, so the broker has routed the message
 * when this resolves (the ack goes out after routing).
 */
export async function publish(
  client: RawClient,
  topic: string,
  payload: string | Buffer,
  options: PublishOptions = {},
): Promise<void> {
  const qos = options.qos ?? 0;
  const id = qos === 0 ? undefined : (options.packetId ?? packetId());
  client.send({
    type: 'publish',
    topic,
    payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
    qos,
    retain: options.retain ?? false,
    dup: options.dup ?? false,
    packetId: id,
  });
  if (qos === 1) {
    const puback = await client.expect('puback');
    assert.equal(puback.packetId, id, 'PUBACK echoes the PUBLISH packet identifier');
  } else if (qos === 2) {
    const pubrec = await client.expect('pubrec');
    assert.equal(pubrec.packetId, id, 'PUBREC echoes the PUBLISH packet identifier');
    client.send({ type: 'pubrel', packetId: id as number });
    const pubcomp = await client.expect('pubcomp');
    assert.equal(pubcomp.packetId, id, 'PUBCOMP echoes the PUBREL packet identifier');
  }
}

/**
 * The next packet must be a PUBLISH. Unless `ack` is false it is acknowledged as its QoS demands, QoS 2 through
 * to PUBCOMP (so the next packet must then be the PUBREL: use receiveAll when several messages interleave).
 */
export async function receive(client: RawClient, ack = true, timeoutMs?: number): Promise<PublishPacket> {
  const packet = await client.expect('publish', timeoutMs);
  if (!ack) return packet;
  acknowledge(client, packet);
  if (packet.qos === 2) {
    const pubrel = await client.expect('pubrel');
    assert.equal(pubrel.packetId, packet.packetId, 'PUBREL echoes the PUBREC packet identifier');
    client.send({ type: 'pubcomp', packetId: pubrel.packetId });
  }
  return packet;
}

/** PUBACK a QoS 1 message, PUBREC a QoS 2 one (its PUBREL is answered by whoever reads it). */
export function acknowledge(client: RawClient, packet: PublishPacket): void {
  if (packet.qos === 1) client.send({ type: 'puback', packetId: packet.packetId as number });
  if (packet.qos === 2) client.send({ type: 'pubrec', packetId: packet.packetId as number });
}

/**
 * Receives exactly `count` PUBLISH packets and acknowledges each; QoS 2 flows are completed (each PUBREL is
 * answered) before this resolves, so a PUBLISH beyond `count` arriving meanwhile fails it.
 */
export async function receiveAll(client: RawClient, count: number): Promise<PublishPacket[]> {
  const got: PublishPacket[] = [];
  const awaitingPubrel = new Set<number>();
  while (got.length < count || awaitingPubrel.size > 0) {
    const packet = await client.next();
    if (packet === undefined) {
      throw new Error(
        `expected ${count} PUBLISH packets and their PUBRELs, got ${got.length} then ${client.closed ? 'close' : 'nothing'}`,
      );
    }
    if (packet.type === 'pubrel') {
      assert.ok(awaitingPubrel.delete(packet.packetId), `PUBREL for unknown id ${packet.packetId}`);
      client.send({ type: 'pubcomp', packetId: packet.packetId });
      continue;
    }
    assert.equal(packet.type, 'publish', `expected publish, got ${JSON.stringify(packet)}`);
    assert.ok(got.length < count, `more than ${count} PUBLISH packets: ${JSON.stringify(packet)}`);
    const publishPacket = packet as PublishPacket;
    acknowledge(client, publishPacket);
    if (publishPacket.qos === 2) awaitingPubrel.add(publishPacket.packetId as number);
    got.push(publishPacket);
  }
  return got;
}

/** Answers the PUBRELs of QoS 2 deliveries still open and asserts that nothing else arrives. */
export async function expectQuiet(client: RawClient, timeoutMs = QUIET_MS): Promise<void> {
  for (;;) {
    const packet: Packet | undefined = await client.next(timeoutMs);
    if (packet === undefined) break;
    if (packet.type === 'pubrel') {
      client.send({ type: 'pubcomp', packetId: packet.packetId });
      continue;
    }
    assert.fail(`expected nothing, got ${JSON.stringify(packet)}`);
  }
  assert.equal(client.closed, false, 'the connection stays open');
}

/**
 * Asserts that nothing is waiting for the client: PINGREQ must be answered by the very next packet. The server
 * handles packets in order, so anything already due to this client (a delivery routed when another client's
 * PUBLISH was acknowledged, an answer to an earlier packet) would come before the PINGRESP [MQTT-3.12.4-1].
 * Faster and exacter than waiting; use expectQuiet for what a timer or a closed socket triggers.
 */
export async function expectSettled(client: RawClient): Promise<void> {
  client.send({ type: 'pingreq' });
  const packet = await client.next();
  assert.deepEqual(packet, { type: 'pingresp' }, 'nothing more arrives before the PINGRESP');
}

/** The server closes the connection without sending anything first. */
export async function expectSilentClose(client: RawClient): Promise<void> {
  const packets = await client.expectClose();
  assert.deepEqual(packets, [], 'nothing is sent before the close');
}

/** The connection is still usable: PINGREQ is answered [MQTT-3.12.4-1]. */
export async function expectAlive(client: RawClient): Promise<void> {
  client.send({ type: 'pingreq' });
  await client.expect('pingresp');
}

export interface Connect5Options {
  properties?: Properties;
  will?: Will;
  clean?: boolean;
  keepalive?: number;
  username?: string;
  password?: Buffer;
}

/** MQTT 5 CONNECT on a new pool connection; returns the client and the CONNACK, whatever its reason code. */
export async function connect5(
  pool: ClientPool,
  clientId: string,
  options: Connect5Options = {},
): Promise<{ client: RawClient; connack: ConnackPacket }> {
  const client = await pool.open(5);
  client.send({
    type: 'connect',
    protocolName: 'MQTT',
    protocolVersion: 5,
    clean: options.clean ?? true,
    keepalive: options.keepalive ?? 60,
    clientId,
    properties: options.properties,
    will: options.will,
    username: options.username,
    password: options.password,
  });
  return { client, connack: await client.expect('connack') };
}

// Clients for the crash tests: a publisher that keeps a window of QoS 1/2 messages in flight and, like any
// MQTT client with a persistent session, sends unacknowledged ones again after reconnecting (PUBLISH with
// DUP, or PUBREL once PUBREC came); and a collector that counts what a subscriber receives.
import { connect, type Socket } from 'node:net';
import { FrameDecoder } from '../../src/protocol/decoder.js';
import { encode } from '../../src/protocol/encoder.js';
import type { Packet, PublishPacket } from '../../src/protocol/types.js';

interface Pending {
  readonly publish: PublishPacket;
  /** QoS 2: PUBREC came, PUBREL is owed until PUBCOMP. */
  released: boolean;
}

/** A connected socket that hands decoded packets to `onPacket`; resolves after CONNACK. */
async function open(
  port: number,
  clientId: string,
  clean: boolean,
  onPacket: (p: Packet, socket: Socket) => void,
): Promise<Socket> {
  const socket = connect({ port, host: '127.0.0.1', noDelay: true });
  const decoder = new FrameDecoder({ role: 'client', protocolVersion: 4 });
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return new Promise((resolve, reject) => {
    let connected = false;
    socket.on('data', (chunk) => {
      decoder.push(chunk, (packet) => {
        if (!connected && packet.type === 'connack') {
          connected = true;
          if (packet.reasonCode === 0) resolve(socket);
          else reject(new Error(`CONNACK ${packet.reasonCode}`));
        } else onPacket(packet, socket);
      });
    });
    socket.once('close', () => {
      if (!connected) reject(new Error('closed before CONNACK'));
    });
    socket.write(
      encode({ type: 'connect', protocolName: 'MQTT', protocolVersion: 4, clean, keepalive: 0, clientId }, 4),
    );
  });
}

export class WindowedPublisher {
  /** Message ids whose PUBACK / PUBCOMP arrived. */
  readonly acknowledged = new Set<string>();
  readonly #pending = new Map<number, Pending>();
  #socket: Socket | undefined;
  #nextId = 1;
  #sequence = 0;
  #running = false;

  constructor(
    readonly clientId: string,
    readonly qos: 1 | 2,
    /** Topic of message n. */
    readonly topicOf: (n: number) => string,
    readonly retain: boolean,
    readonly window: number,
  ) {}

  /** Connects (resuming the session), sends what is owed, then keeps the window full until the socket dies. */
  async run(port: number): Promise<void> {
    const socket = await open(port, this.clientId, false, (packet, connected) => {
      this.#socket = connected;
      this.#onPacket(packet);
    });
    this.#socket = socket;
    this.#running = true;
    socket.once('close', () => {
      this.#running = false;
      this.#socket = undefined;
    });
    for (const [packetId, pending] of this.#pending) {
      if (pending.released) this.#write({ type: 'pubrel', packetId });
      else this.#write({ ...pending.publish, dup: true }); // [MQTT-4.4.0-1]
    }
    this.#fill();
  }

  /** Stops adding new messages; what is owed is still completed while connected. */
  stopPublishing(): void {
    this.#running = false;
  }

  get outstanding(): number {
    return this.#pending.size;
  }

  disconnect(): void {
    this.#socket?.end(encode({ type: 'disconnect' }, 4));
  }

  #fill(): void {
    while (this.#running && this.#pending.size < this.window) {
      const n = this.#sequence++;
      const packetId = this.#nextId;
      this.#nextId = (this.#nextId % 65535) + 1;
      const publish: PublishPacket = {
        type: 'publish',
        topic: this.topicOf(n),
        payload: Buffer.from(`${this.clientId}:${n}`),
        qos: this.qos,
        retain: this.retain,
        dup: false,
        packetId,
      };
      this.#pending.set(packetId, { publish, released: false });
      this.#write(publish);
    }
  }

  #write(packet: Packet): void {
    this.#socket?.write(encode(packet, 4));
  }

  #onPacket(packet: Packet): void {
    if (packet.type === 'puback' || packet.type === 'pubcomp') {
      const pending = this.#pending.get(packet.packetId);
      if (pending === undefined) return;
      this.#pending.delete(packet.packetId);
      this.acknowledged.add(pending.publish.payload.toString());
      this.#fill();
    } else if (packet.type === 'pubrec') {
      const pending = this.#pending.get(packet.packetId);
      if (pending !== undefined) pending.released = true;
      this.#write({ type: 'pubrel', packetId: packet.packetId });
    }
  }
}

/**
 * A subscriber's receiving end: counts each payload its application gets and completes every QoS flow. Like
 * paho or MQTT.js with a persistent session, it remembers QoS 2 packet ids awaiting PUBREL across reconnects:
 * a PUBLISH resent under such an id (DUP) is answered PUBREC again but is not a new message [MQTT-4.3.3-9].
 */
export class Collector {
  readonly counts = new Map<string, number>();
  lastArrival = Date.now();
  #socket: Socket | undefined;
  readonly #awaitingPubrel = new Set<number>();

  constructor(readonly clientId: string) {}

  async connect(port: number, clean = false): Promise<void> {
    // Packets that arrive with CONNACK are answered before open() resolves: the socket comes with them.
    this.#socket = await open(port, this.clientId, clean, (packet, socket) => {
      this.#socket = socket;
      this.#onPacket(packet);
    });
  }

  subscribe(filter: string, qos: 0 | 1 | 2): Promise<void> {
    return new Promise((resolve) => {
      this.#onSuback = resolve;
      this.#write({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: filter, qos }] });
    });
  }

  #onSuback: (() => void) | undefined;

  disconnect(): void {
    this.#socket?.end(encode({ type: 'disconnect' }, 4));
  }

  #write(packet: Packet): void {
    this.#socket?.write(encode(packet, 4));
  }

  #onPacket(packet: Packet): void {
    if (packet.type === 'suback') this.#onSuback?.();
    if (packet.type === 'pubrel') {
      this.#awaitingPubrel.delete(packet.packetId);
      this.#write({ type: 'pubcomp', packetId: packet.packetId });
    }
    if (packet.type !== 'publish') return;
    this.lastArrival = Date.now();
    const packetId = packet.packetId as number;
    const seen = packet.qos === 2 && this.#awaitingPubrel.has(packetId);
    if (!seen) {
      const key = packet.payload.toString();
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    }
    if (packet.qos === 1) this.#write({ type: 'puback', packetId });
    if (packet.qos === 2) {
      this.#awaitingPubrel.add(packetId);
      this.#write({ type: 'pubrec', packetId });
    }
  }
}

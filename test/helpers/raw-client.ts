// A raw-bytes MQTT test client: writes packets or exact bytes, reads decoded packets, and says when the
// server closed the connection. Conformance tests are conversations written with it.
import { connect, type Socket } from 'node:net';
import { FrameDecoder } from '../../src/protocol/decoder.js';
import { encode } from '../../src/protocol/encoder.js';
import type { Packet, ProtocolVersion } from '../../src/protocol/types.js';

const DEFAULT_WAIT_MS = 2000;

export class RawClient {
  readonly #socket: Socket;
  readonly #decoder: FrameDecoder;
  readonly #inbox: Packet[] = [];
  #waiter: (() => void) | undefined;
  #closed = false;
  #decodeError: unknown;
  version: ProtocolVersion;

  private constructor(socket: Socket, version: ProtocolVersion) {
    this.#socket = socket;
    this.version = version;
    this.#decoder = new FrameDecoder({ role: 'client', protocolVersion: version });
    socket.on('data', (chunk) => {
      try {
        this.#decoder.push(chunk, (packet) => this.#inbox.push(packet));
      } catch (error) {
        this.#decodeError = error;
      }
      this.#wake();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
    socket.on('error', () => {});
  }

  static open(port: number, version: ProtocolVersion = 4, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host, noDelay: true }, () => {
        socket.off('error', reject);
        resolve(new RawClient(socket, version));
      });
      socket.once('error', reject);
    });
  }

  /** Open, send CONNECT and expect CONNACK 0. */
  static async connected(
    port: number,
    clientId: string,
    options: {
      version?: ProtocolVersion;
      clean?: boolean;
      keepalive?: number;
      extra?: Record<string, unknown>;
    } = {},
  ): Promise<RawClient> {
    const version = options.version ?? 4;
    const client = await RawClient.open(port, version);
    client.send({
      type: 'connect',
      protocolName: version === 3 ? 'MQIsdp' : 'MQTT',
      protocolVersion: version,
      clean: options.clean ?? true,
      keepalive: options.keepalive ?? 60,
      clientId,
      ...options.extra,
    });
    const connack = await client.expect('connack');
    if (connack.reasonCode !== 0) throw new Error(`CONNACK ${connack.reasonCode}`);
    return client;
  }

  /** This end's port: names the connection on the broker's side. */
  get localPort(): number {
    return this.#socket.localPort ?? 0;
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(packet: Packet): void {
    this.#socket.write(encode(packet, this.version));
  }

  sendBytes(bytes: Buffer | number[] | string): void {
    const buffer =
      typeof bytes === 'string' ? Buffer.from(bytes.replace(/\s+/g, ''), 'hex') : Buffer.from(bytes);
    this.#socket.write(buffer);
  }

  /** The next packet, of the given type if one is named (other packets before it fail the expectation). */
  async expect<T extends Packet['type']>(
    type: T,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<Extract<Packet, { type: T }>> {
    const packet = await this.next(timeoutMs);
    if (packet === undefined)
      throw new Error(`expected ${type}, got ${this.#closed ? 'connection closed' : 'nothing'}`);
    if (packet.type !== type)
      throw new Error(`expected ${type}, got ${packet.type}: ${JSON.stringify(packet)}`);
    return packet as Extract<Packet, { type: T }>;
  }

  /** The next packet, or undefined when the connection closed or the time ran out. */
  async next(timeoutMs = DEFAULT_WAIT_MS): Promise<Packet | undefined> {
    if (this.#decodeError) throw this.#decodeError;
    const deadline = Date.now() + timeoutMs;
    while (this.#inbox.length === 0 && !this.#closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#waiter = undefined;
    }
    return this.#inbox.shift();
  }

  /** Asserts that no packet arrives within the time. */
  async expectNothing(timeoutMs = 300): Promise<void> {
    const packet = await this.next(timeoutMs);
    if (packet !== undefined) throw new Error(`expected nothing, got ${JSON.stringify(packet)}`);
  }

  /** Resolves true when the server closes the connection within the time (after any packets it sends). */
  async expectClose(timeoutMs = DEFAULT_WAIT_MS): Promise<Packet[]> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#waiter = undefined;
    }
    if (!this.#closed) throw new Error('expected the server to close the connection');
    return this.#inbox.splice(0);
  }

  /** Drop the TCP connection without DISCONNECT (an "abnormal" close for the will). */
  destroy(): void {
    this.#socket.destroy();
  }

  /** DISCONNECT, then close. */
  disconnect(): void {
    if (!this.#closed) {
      this.send({ type: 'disconnect' });
      this.#socket.end();
    }
  }

  #wake(): void {
    this.#waiter?.();
  }
}

// A raw WebSocket MQTT client for framing tests: sends exact frames (binary or text), decodes what comes
// back whatever the frame boundaries, and reports how the server closed.
import WebSocket from 'ws';
import { FrameDecoder } from '../../src/protocol/decoder.js';
import { encode } from '../../src/protocol/encoder.js';
import type { Packet } from '../../src/protocol/types.js';

const WAIT_MS = 3000;

export class RawWsClient {
  readonly ws: WebSocket;
  readonly #decoder = new FrameDecoder({ role: 'client', protocolVersion: 4 });
  readonly #inbox: Packet[] = [];
  #wake: (() => void) | undefined;
  /** Resolves with the close code and reason once the connection closed. */
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: Buffer) => {
      this.#decoder.push(data, (packet) => this.#inbox.push(packet));
      this.#wake?.();
    });
    this.closed = new Promise((ok) =>
      ws.on('close', (code, reason) => {
        ok({ code, reason: reason.toString() });
        this.#wake?.();
      }),
    );
    ws.on('error', () => undefined);
  }

  /** Opens with the given subprotocols; rejects with `HTTP <status>: <body>` when the upgrade is refused. */
  static open(
    url: string,
    protocols: string[] = ['mqtt'],
    options: WebSocket.ClientOptions = {},
  ): Promise<RawWsClient> {
    return new Promise((ok, fail) => {
      const ws = new WebSocket(url, protocols, { handshakeTimeout: WAIT_MS, ...options });
      ws.once('open', () => ok(new RawWsClient(ws)));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => fail(new Error(`HTTP ${res.statusCode}: ${body}`)));
      });
      ws.once('error', fail);
    });
  }

  send(bytes: Buffer | string, binary = true): void {
    this.ws.send(bytes, { binary });
  }

  static bytes(packet: Packet): Buffer {
    return encode(packet, 4);
  }

  /** The next packet, or a rejection after the deadline / on close. */
  async next(timeoutMs = WAIT_MS): Promise<Packet> {
    const deadline = Date.now() + timeoutMs;
    while (this.#inbox.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0 || this.ws.readyState === WebSocket.CLOSED) throw new Error('no packet arrived');
      await new Promise<void>((ok) => {
        const timer = setTimeout(ok, left);
        this.#wake = () => {
          clearTimeout(timer);
          ok();
        };
      });
      this.#wake = undefined;
    }
    return this.#inbox.shift() as Packet;
  }

  close(): void {
    this.ws.terminate();
  }
}

export const CONNECT = (clientId: string): Packet => ({
  type: 'connect',
  protocolName: 'MQTT',
  protocolVersion: 4,
  clientId,
  clean: true,
  keepalive: 30,
});

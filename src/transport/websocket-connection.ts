// A Connection over one WebSocket: MQTT bytes travel in binary frames [MQTT-6.0.0-1] whose boundaries mean
// nothing to the decoder [MQTT-6.0.0-2]. Everything written during one read leaves as one frame.
import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import { ConnectionFacts, type ConnectionInfo } from './socket-connection.js';
import type { Connection } from './types.js';

/** Close codes (RFC 6455 §7.4.1). */
const NORMAL = 1000;
const UNSUPPORTED_DATA = 1003;

export class WebSocketConnection extends ConnectionFacts implements Connection {
  readonly #ws: WebSocket;
  readonly #socket: Socket;
  #pending: Buffer[] = [];
  #closed = false;
  #onData: (chunk: Buffer) => void = () => undefined;
  readonly #flush = (): void => {
    const frames = this.#pending;
    this.#pending = [];
    if (frames.length === 0 || this.#ws.readyState !== this.#ws.OPEN) return;
    this.#ws.send(frames.length === 1 ? (frames[0] as Buffer) : Buffer.concat(frames), { binary: true });
  };

  constructor(ws: WebSocket, socket: Socket, info: ConnectionInfo) {
    super(socket, info);
    this.#ws = ws;
    this.#socket = socket;
    socket.setNoDelay(true);
    ws.on('error', () => {
      // An oversize frame or a protocol violation: ws closes the connection itself (1009 / 1002).
    });
    ws.on('close', () => {
      this.#closed = true;
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) {
        // [MQTT-6.0.0-1] any other data frame closes the connection.
        this.#pending = [];
        ws.close(UNSUPPORTED_DATA, 'MQTT over WebSocket uses binary frames only');
        return;
      }
      this.#onData(data as Buffer);
    });
  }

  get bufferedBytes(): number {
    return this.#ws.bufferedAmount;
  }

  get closed(): boolean {
    return this.#closed;
  }

  write(bytes: Buffer): void {
    if (this.#closed) return;
    if (this.#pending.push(bytes) === 1) queueMicrotask(this.#flush);
  }

  close(destroy = false): void {
    if (this.#closed) return;
    this.#closed = true;
    if (destroy) {
      this.#ws.terminate();
      return;
    }
    this.#flush();
    this.#ws.close(NORMAL);
    // A peer that never answers the close handshake must not hold the socket open forever.
    setTimeout(() => this.#ws.terminate(), 2000).unref();
  }

  pause(): void {
    this.#ws.pause();
  }

  resume(): void {
    this.#ws.resume();
  }

  onData(handler: (chunk: Buffer) => void): void {
    this.#onData = handler;
  }

  onDrain(handler: () => void): void {
    this.#socket.on('drain', handler);
  }

  onClose(handler: (hadError: boolean) => void): void {
    this.#ws.on('close', (code: number) => handler(code !== NORMAL));
  }
}

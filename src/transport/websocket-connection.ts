// A Connection over one WebSocket: MQTT bytes travel in binary frames [MQTT-6.0.0-1] whose boundaries mean
// nothing to the decoder [MQTT-6.0.0-2]. Everything written during one read leaves as one frame.
import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import { ConnectionFacts, type ConnectionInfo } from './socket-connection.js';
import type { Connection, ConnectionSink } from './types.js';
import { OutputBatch } from './output-batch.js';

/** Close codes (RFC 6455 §7.4.1). */
const NORMAL = 1000;
const UNSUPPORTED_DATA = 1003;

export class WebSocketConnection extends ConnectionFacts implements Connection {
  readonly #ws: WebSocket;
  readonly #socket: Socket;
  readonly #batch = new OutputBatch();
  #closed = false;
  #onData: (chunk: Buffer) => void = () => undefined;
  readonly #flush = (): void => {
    if (this.#ws.readyState !== this.#ws.OPEN) {
      this.#batch.clear();
      return;
    }
    // Frame boundaries mean nothing to MQTT [MQTT-6.0.0-2]: a large part may go as a frame of its own.
    this.#batch.drain(this.#send);
  };
  readonly #send = {
    write: (bytes: Buffer): void => {
      this.#ws.send(bytes, { binary: true });
    },
  };

  constructor(ws: WebSocket, socket: Socket, info: ConnectionInfo) {
    super(socket, info);
    this.#ws = ws;
    this.#socket = socket;
    ws.on('error', () => {
      // An oversize frame or a protocol violation: ws closes the connection itself (1009 / 1002).
    });
    ws.on('close', () => {
      this.#closed = true;
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) {
        // [MQTT-6.0.0-1] any other data frame closes the connection.
        this.#batch.clear();
        ws.close(UNSUPPORTED_DATA, 'MQTT over WebSocket uses binary frames only');
        return;
      }
      this.#onData(data as Buffer);
    });
  }

  get bufferedBytes(): number {
    return this.#ws.bufferedAmount + this.#batch.length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  write(bytes: Buffer): void {
    if (this.#closed) return;
    if (this.#batch.push(bytes) === 1) queueMicrotask(this.#flush);
  }

  writePatched(bytes: Buffer, firstByte: number, offset: number, value: number): void {
    if (this.#closed) return;
    if (this.#batch.pushPatched(bytes, firstByte, offset, value) === 1) queueMicrotask(this.#flush);
  }

  close(destroy = false): void {
    if (this.#closed) return;
    this.#closed = true;
    if (destroy) {
      this.#batch.clear();
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

  attach(sink: ConnectionSink): void {
    this.onData((chunk) => sink.onConnectionData(chunk));
    this.onDrain(() => sink.onConnectionDrain());
    this.onClose((hadError) => sink.onConnectionClose(hadError));
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

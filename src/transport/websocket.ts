// MQTT over WebSocket (ws, usually port 9001) and over secure WebSocket (wss, with certfile/keyfile): any
// path, subprotocol "mqtt" (or "mqttv3.1" for old MQTT 3.1 clients), binary frames. Plain HTTP requests are
// answered from http_dir. The `ws` package is loaded only when such a listener starts.
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIP, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { resolveHttpDir, serveHttp } from './http-dir.js';
import type { PeerAddress } from './proxy-protocol.js';
import { SocketListener } from './socket-listener.js';
import { certificateNameOf, tlsServerOptions } from './tls-options.js';
import { WebSocketConnection } from './websocket-connection.js';
import type { BindOptions, Connection, Listener, ListenerAddress, TlsSettings } from './types.js';

export interface WebSocketListenerOptions extends BindOptions {
  /** wss: TLS with these settings. */
  tls?: TlsSettings;
  /** The largest WebSocket message accepted: the broker's maximum packet size. */
  maxPayload: number;
  httpDir?: string;
  /** trust_x_forwarded_for: the last X-Forwarded-For entry (the one the proxy added) is the client. */
  trustForwardedFor?: boolean;
}

/** [MQTT-6.0.0-4] the server selects "mqtt"; "mqttv3.1" is what MQTT 3.1 era clients offer. */
const SUBPROTOCOLS = ['mqtt', 'mqttv3.1'] as const;

function offeredSubprotocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  return header === undefined ? [] : header.split(',').map((p) => p.trim());
}

export function chooseSubprotocol(offered: Iterable<string>): string | false {
  const list = [...offered];
  return SUBPROTOCOLS.find((p) => list.includes(p)) ?? false;
}

/** The address a trusted reverse proxy appended last to X-Forwarded-For ("1.2.3.4", "1.2.3.4:5", "[::1]:5"). */
export function forwardedFor(req: IncomingMessage): PeerAddress | undefined {
  const header = req.headers['x-forwarded-for'];
  const value = Array.isArray(header) ? header.join(',') : header;
  const last = value?.split(',').pop()?.trim();
  if (last === undefined || last === '') return undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(last);
  const v4WithPort = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(last);
  const [address, port] = bracketed
    ? [bracketed[1] as string, bracketed[2]]
    : v4WithPort
      ? [v4WithPort[1] as string, v4WithPort[2]]
      : [last, undefined];
  if (isIP(address) === 0) return undefined;
  return { address, port: port === undefined ? 0 : Number(port) };
}

function refuseUpgrade(socket: Duplex, status: string, text: string): void {
  socket.end(
    `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(text) + 1}\r\n\r\n${text}\n`,
  );
}

export class WebSocketListener extends SocketListener implements Listener {
  readonly kind = 'websocket' as const;
  protected readonly scheme: string;
  readonly #options: WebSocketListenerOptions;
  #http: Server | undefined;
  #wss: WebSocketServer | undefined;

  constructor(options: WebSocketListenerOptions) {
    super(options);
    this.#options = options;
    this.scheme = options.tls === undefined ? 'ws' : 'wss';
  }

  override async listen(onConnection: (connection: Connection) => void): Promise<ListenerAddress> {
    const { WebSocketServer } = await import('ws');
    const options = this.#options;
    const root = options.httpDir === undefined ? undefined : await resolveHttpDir(options.httpDir, this.name);
    this.#wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: options.maxPayload,
      handleProtocols: (offered) => chooseSubprotocol(offered),
    });
    // Never listens itself: the TCP listener hands it sockets (after a PROXY header, when enabled).
    const http =
      options.tls === undefined
        ? createHttpServer()
        : createHttpsServer(tlsServerOptions(options.tls, this.name));
    http.on('request', (req, res) => serveHttp(req, res, root));
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#upgrade(req, socket as Socket, head, onConnection),
    );
    http.on('tlsClientError', () => {
      // A refused certificate or a failed handshake: the socket is already destroyed.
    });
    this.#http = http;
    return super.listen(onConnection);
  }

  protected handle(socket: Socket): void {
    this.#http?.emit('connection', socket);
    socket.resume();
  }

  #upgrade(req: IncomingMessage, socket: Socket, head: Buffer, onConnection: (c: Connection) => void): void {
    if (chooseSubprotocol(offeredSubprotocols(req)) === false) {
      // [MQTT-6.0.0-3] the client must offer "mqtt"; say so rather than open a socket nobody can use.
      refuseUpgrade(
        socket,
        '400 Bad Request',
        'MQTT over WebSocket needs the WebSocket subprotocol "mqtt" (or "mqttv3.1").',
      );
      return;
    }
    const wss = this.#wss as WebSocketServer;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const proxied = this.claim(socket);
      const secure = this.#options.tls !== undefined;
      const peer = (this.#options.trustForwardedFor === true ? forwardedFor(req) : undefined) ?? proxied;
      onConnection(
        new WebSocketConnection(ws, socket, {
          listenerId: this.id,
          peer,
          certificateName: secure ? certificateNameOf(socket as TLSSocket) : undefined,
          identityAsUsername: this.#options.tls?.useIdentityAsUsername,
        }),
      );
    });
  }
}

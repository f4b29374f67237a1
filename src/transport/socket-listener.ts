// What every socket listener shares: binding (host, socket_domain), the PROXY protocol header when the
// listener sits behind a proxy, sockets that never became a Connection, and closing.
import { createServer, type Server, type Socket } from 'node:net';
import { readProxyHeader, type PeerAddress } from './proxy-protocol.js';
import type { BindOptions, Connection, ListenerAddress } from './types.js';

export type { PeerAddress };

/** A socket's own address:port as this host sees it: the same for a TLS socket and the TCP socket it wraps. */
function keyOf(socket: Socket): string {
  return `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}`;
}

function ignoreError(): void {
  // A reset or a failed handshake: reported through 'close'; routine for a broker.
}

/** A socket accepted and not yet a Connection, and how to forget it when it closes first. */
interface Unclaimed {
  readonly socket: Socket;
  readonly forget: () => void;
}

export abstract class SocketListener {
  readonly id: string;
  protected onConnection: (connection: Connection) => void = () => undefined;
  readonly #bind: BindOptions;
  #server: Server | undefined;
  /** Sockets accepted but not (yet) a Connection: in a handshake, serving HTTP. Closed with the listener. */
  readonly #unclaimed = new Map<string, Unclaimed>();
  /** Client addresses reported by PROXY headers, by the key of the proxy's socket. */
  readonly #proxied = new Map<string, PeerAddress>();

  protected constructor(bind: BindOptions) {
    this.id = bind.id;
    this.#bind = bind;
  }

  /** How errors name the listener: 'listener 8883'. */
  protected get name(): string {
    return `listener ${this.#bind.port}`;
  }

  /** The URL scheme of the listener: 'mqtt', 'mqtts', 'ws', 'wss'. */
  protected abstract readonly scheme: string;

  /** A socket is ready (its PROXY header, if any, consumed): turn it into a Connection or serve it. */
  protected abstract handle(socket: Socket): void;

  /**
   * The socket (or a TLS socket over it) is now a Connection: the broker closes it from here on, and the
   * listener keeps nothing of it (no entry, no listener: 10,000 idle connections each held both). Returns the
   * client's address when a PROXY header reported one.
   */
  protected claim(socket: Socket): PeerAddress | undefined {
    const key = keyOf(socket);
    const entry = this.#unclaimed.get(key);
    const peer = this.#proxied.get(key);
    if (entry !== undefined) {
      entry.socket.off('close', entry.forget);
      entry.forget();
    }
    return peer;
  }

  listen(onConnection: (connection: Connection) => void): Promise<ListenerAddress> {
    this.onConnection = onConnection;
    // The server sets TCP_NODELAY (set_tcp_nodelay) on each accepted socket; TLS and WebSocket ride on these.
    const server = createServer({ noDelay: this.#bind.noDelay ?? true }, (socket) => this.#accept(socket));
    this.#server = server;
    const { port, socketDomain, maxConnections } = this.#bind;
    if (maxConnections !== undefined && maxConnections >= 0) server.maxConnections = maxConnections;
    const host =
      this.#bind.host ?? (socketDomain === 'ipv4' ? '0.0.0.0' : socketDomain === 'ipv6' ? '::' : undefined);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host, ipv6Only: socketDomain === 'ipv6' }, () => {
        server.off('error', reject);
        const address = server.address();
        if (address === null || typeof address === 'string') {
          resolve({ host: String(address), port, protocol: this.scheme });
          return;
        }
        resolve({ host: address.address, port: address.port, protocol: this.scheme });
      });
    });
  }

  #accept(socket: Socket): void {
    const key = keyOf(socket);
    const forget = (): void => {
      this.#unclaimed.delete(key);
      this.#proxied.delete(key);
    };
    this.#unclaimed.set(key, { socket, forget });
    socket.once('close', forget);
    socket.on('error', ignoreError);
    if (!this.#bind.proxyProtocol) {
      this.handle(socket);
      return;
    }
    readProxyHeader(socket).then(
      (peer) => {
        if (socket.destroyed) return;
        if (peer !== undefined) this.#proxied.set(key, peer);
        this.handle(socket);
      },
      () => socket.destroy(),
    );
  }

  close(): Promise<void> {
    const server = this.#server;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      for (const { socket } of this.#unclaimed.values()) socket.destroy();
    });
  }
}

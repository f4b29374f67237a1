import { createServer, type Server, type Socket } from 'node:net';
import { SocketConnection } from './socket-connection.js';
import type { Connection, Listener, ListenerAddress } from './types.js';

export interface TcpListenerOptions {
  id: string;
  port: number;
  host?: string;
  /** Address family when no host is given: 'ipv4' binds 0.0.0.0, 'ipv6' binds ::, neither binds both. */
  socketDomain?: 'ipv4' | 'ipv6';
}

export class TcpListener implements Listener {
  readonly kind = 'tcp' as const;
  readonly id: string;
  readonly #options: TcpListenerOptions;
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();

  constructor(options: TcpListenerOptions) {
    this.id = options.id;
    this.#options = options;
  }

  listen(onConnection: (connection: Connection) => void): Promise<ListenerAddress> {
    const server = createServer({ noDelay: true }, (socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
      onConnection(new SocketConnection(socket, this.id));
    });
    this.#server = server;
    const { port, socketDomain } = this.#options;
    const host =
      this.#options.host ??
      (socketDomain === 'ipv4' ? '0.0.0.0' : socketDomain === 'ipv6' ? '::' : undefined);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host, ipv6Only: socketDomain === 'ipv6' }, () => {
        server.off('error', reject);
        const address = server.address();
        if (address === null || typeof address === 'string') {
          resolve({ host: String(address), port, protocol: 'mqtt' });
          return;
        }
        resolve({ host: address.address, port: address.port, protocol: 'mqtt' });
      });
    });
  }

  close(): Promise<void> {
    const server = this.#server;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}

// MQTT over TLS (mqtts, usually port 8883): a TCP listener whose sockets go through a TLS handshake first.
import type { Socket } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { SocketConnection } from './socket-connection.js';
import { SocketListener } from './socket-listener.js';
import { certificateNameOf, tlsServerOptions } from './tls-options.js';
import type { BindOptions, Connection, Listener, ListenerAddress, TlsSettings } from './types.js';

export interface TlsListenerOptions extends BindOptions {
  tls: TlsSettings;
}

export class TlsListener extends SocketListener implements Listener {
  readonly kind = 'tls' as const;
  protected readonly scheme = 'mqtts';
  readonly #settings: TlsSettings;
  #tls: Server | undefined;

  constructor(options: TlsListenerOptions) {
    super(options);
    this.#settings = options.tls;
  }

  override listen(onConnection: (connection: Connection) => void): Promise<ListenerAddress> {
    const options = tlsServerOptions(this.#settings, this.name);
    // Never listens itself: the TCP listener hands it sockets (after a PROXY header, when enabled).
    this.#tls = createServer(options, (socket: TLSSocket) => {
      const peer = this.claim(socket);
      onConnection(
        new SocketConnection(socket, {
          listenerId: this.id,
          peer,
          certificateName: certificateNameOf(socket),
          identityAsUsername: this.#settings.useIdentityAsUsername,
        }),
      );
    });
    this.#tls.on('tlsClientError', () => {
      // A refused certificate or a failed handshake: the socket is already destroyed.
    });
    return super.listen(onConnection);
  }

  protected handle(socket: Socket): void {
    this.#tls?.emit('connection', socket);
    socket.resume();
  }
}

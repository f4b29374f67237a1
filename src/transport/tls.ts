// MQTT over TLS (mqtts, usually port 8883): a TCP listener whose sockets go through a TLS handshake first.
import type { Socket } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { SocketConnection } from './socket-connection.js';
import { SocketListener } from './socket-listener.js';
import { certificateNameOf, tlsServerOptions } from './tls-options.js';
import type { BindOptions, Connection, Listener, ListenerAddress, TlsSettings } from './types.js';

export interface TlsListenerOptions extends BindOptions {
  tls: TlsSettings;
  /** Told, in one line, about a client that did not speak TLS at all (plain MQTT, HTTP). */
  notice?: (message: string, remoteAddress: string) => void;
}

/** What OpenSSL's first-record errors say the peer sent instead of a TLS handshake. */
const NOT_TLS: Readonly<Record<string, string>> = {
  ERR_SSL_HTTP_REQUEST: 'an HTTP request',
  ERR_SSL_WRONG_VERSION_NUMBER: 'plain data instead of a TLS handshake (MQTT without TLS?)',
};

export class TlsListener extends SocketListener implements Listener {
  readonly kind = 'tls' as const;
  protected readonly scheme = 'mqtts';
  readonly #settings: TlsSettings;
  readonly #notice: TlsListenerOptions['notice'];
  #tls: Server | undefined;

  constructor(options: TlsListenerOptions) {
    super(options);
    this.#settings = options.tls;
    this.#notice = options.notice;
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
    this.#tls.on('tlsClientError', (error: NodeJS.ErrnoException, socket: TLSSocket) => {
      // A refused certificate or a failed handshake: the socket is already destroyed. Only a client that
      // does not speak TLS at all is worth a line: that is a configuration mistake on its side.
      const what = NOT_TLS[error.code ?? ''];
      if (what === undefined || this.#notice === undefined) return;
      const remote = socket.remoteAddress ?? 'an unknown address';
      this.#notice(
        `${what} from ${remote} on TLS ${this.name}: closed; the client must use TLS (mqtts)`,
        remote,
      );
    });
    return super.listen(onConnection);
  }

  protected handle(socket: Socket): void {
    this.#tls?.emit('connection', socket);
    socket.resume();
  }
}

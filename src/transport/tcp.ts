import type { Socket } from 'node:net';
import { SocketConnection } from './socket-connection.js';
import { SocketListener } from './socket-listener.js';
import type { BindOptions, Listener } from './types.js';

export type TcpListenerOptions = BindOptions;

/** Plain MQTT over TCP. */
export class TcpListener extends SocketListener implements Listener {
  readonly kind = 'tcp' as const;
  protected readonly scheme = 'mqtt';

  constructor(options: TcpListenerOptions) {
    super(options);
  }

  protected handle(socket: Socket): void {
    const peer = this.claim(socket);
    this.onConnection(new SocketConnection(socket, { listenerId: this.id, peer }));
    // A socket whose PROXY header was read is paused; the connection's reader is attached now.
    socket.resume();
  }
}

// One listener object per `listener` block of the config. Part of the composition root (server.ts).
import type { ListenerConfig } from './config/schema.js';
import { TcpListener } from './transport/tcp.js';
import { TlsListener } from './transport/tls.js';
import { WebSocketListener } from './transport/websocket.js';
import type { Listener } from './transport/types.js';

/** TCP, TLS (certfile + keyfile), WebSocket or secure WebSocket, as the listener's settings say. */
export function createListener(
  config: ListenerConfig,
  id: string,
  maxPacketSize: number,
  notice?: (message: string, remoteAddress: string) => void,
  noDelay = true,
): Listener {
  const bind = {
    id,
    port: config.port,
    host: config.host,
    socketDomain: config.socketDomain,
    proxyProtocol: config.proxyProtocol !== undefined,
    maxConnections: config.maxConnections,
    noDelay,
  };
  const { certfile, keyfile } = config;
  if (
    (certfile === undefined) !== (keyfile === undefined) ||
    (certfile === undefined && config.cafile !== undefined)
  ) {
    // Never serve plain TCP where the configuration asked for TLS.
    throw new Error(
      `MIDGE_TLS_BAD_CONFIG: listener ${config.port} needs both certfile and keyfile for TLS (cafile alone is not enough)`,
    );
  }
  const tls =
    certfile === undefined || keyfile === undefined
      ? undefined
      : {
          certfile,
          keyfile,
          cafile: config.cafile,
          capath: config.capath,
          requireCertificate: config.requireCertificate,
          useIdentityAsUsername: config.useIdentityAsUsername,
          tlsVersion: config.tlsVersion,
          ciphers: config.ciphers,
        };
  if (config.protocol === 'websockets') {
    return new WebSocketListener({
      ...bind,
      tls,
      maxPayload: maxPacketSize,
      httpDir: config.httpDir,
      trustForwardedFor: config.trustForwardedFor,
    });
  }
  return tls === undefined ? new TcpListener(bind) : new TlsListener({ ...bind, tls, notice });
}

// The transport seam: a Listener accepts Connections; a Connection moves bytes. No MQTT knowledge here.
import type { ListenerConfig } from '../config/schema.js';

export interface Connection {
  /** Queue bytes for the peer. Writes made during one read are flushed together (one syscall). */
  write(bytes: Buffer): void;
  /**
   * Queue `bytes` with byte 0 replaced by `firstByte` and the big-endian 16-bit `value` at `offset`; `bytes`
   * itself is left unchanged (it is shared by other connections).
   */
  writePatched(bytes: Buffer, firstByte: number, offset: number, value: number): void;
  /** Bytes handed to the socket that the kernel has not taken yet: the client's backpressure signal. */
  readonly bufferedBytes: number;
  /** Flush what is queued, then close. With `destroy`, drop the connection at once. */
  close(destroy?: boolean): void;
  /** Stop reading from the peer (the engine is behind); resume() reads again. */
  pause(): void;
  resume(): void;
  /** Reports data, drain and close to one object (the engine's per-connection state), without a closure each. */
  attach(sink: ConnectionSink): void;
  onData(handler: (chunk: Buffer) => void): void;
  onDrain(handler: () => void): void;
  onClose(handler: (hadError: boolean) => void): void;
  /** The client's address: the peer's, or the one a trusted proxy reported (PROXY protocol, X-Forwarded-For). */
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly listenerId: string;
  readonly closed: boolean;
  /** The subject CN of a client certificate the TLS handshake verified; undefined without one. */
  readonly certificateName: string | undefined;
  /** use_identity_as_username on this connection's listener: the certificate CN is the username. */
  readonly identityAsUsername: boolean;
}

/** What a Connection reports to, once attached. */
export interface ConnectionSink {
  onConnectionData(chunk: Buffer): void;
  /** The peer took what was buffered: writing may go on. */
  onConnectionDrain(): void;
  onConnectionClose(hadError: boolean): void;
}

export interface ListenerAddress {
  host: string;
  port: number;
  /** 'mqtt', 'mqtts', 'ws' or 'wss'. */
  protocol: string;
}

export interface Listener {
  readonly id: string;
  readonly kind: 'tcp' | 'tls' | 'websocket' | 'memory';
  listen(onConnection: (connection: Connection) => void): Promise<ListenerAddress>;
  /** Stop accepting; existing connections stay until the broker closes them. */
  close(): Promise<void>;
}

/** Where and how a socket listener binds, and whether a proxy in front of it reports client addresses. */
export interface BindOptions {
  id: string;
  port: number;
  host?: string;
  /** Address family when no host is given: 'ipv4' binds 0.0.0.0, 'ipv6' binds ::, neither binds both. */
  socketDomain?: 'ipv4' | 'ipv6';
  /** enable_proxy_protocol: every connection starts with a PROXY protocol v1 or v2 header. */
  proxyProtocol?: boolean;
  /** max_connections in a listener section: more open sockets than this are closed at once; -1 = no limit. */
  maxConnections?: number;
  /** set_tcp_nodelay: TCP_NODELAY on every accepted socket (default true: Nagle costs QoS 2 latency). */
  noDelay?: boolean;
}

/** TLS settings of a listener, the mosquitto.conf way (file paths, read when the listener starts). */
export type TlsSettings = Required<Pick<ListenerConfig, 'certfile' | 'keyfile'>> &
  Pick<
    ListenerConfig,
    'cafile' | 'capath' | 'requireCertificate' | 'useIdentityAsUsername' | 'tlsVersion' | 'ciphers'
  >;

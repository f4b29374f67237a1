// The transport seam: a Listener accepts Connections; a Connection moves bytes. No MQTT knowledge here.

export interface Connection {
  /** Queue bytes for the peer. Writes made during one read are flushed together (one syscall). */
  write(bytes: Buffer): void;
  /** Bytes handed to the socket that the kernel has not taken yet: the client's backpressure signal. */
  readonly bufferedBytes: number;
  /** Flush what is queued, then close. With `destroy`, drop the connection at once. */
  close(destroy?: boolean): void;
  /** Stop reading from the peer (the engine is behind); resume() reads again. */
  pause(): void;
  resume(): void;
  onData(handler: (chunk: Buffer) => void): void;
  onDrain(handler: () => void): void;
  onClose(handler: (hadError: boolean) => void): void;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly listenerId: string;
  readonly closed: boolean;
}

export interface ListenerAddress {
  host: string;
  port: number;
  protocol: string;
}

export interface Listener {
  readonly id: string;
  readonly kind: 'tcp' | 'tls' | 'websocket' | 'memory';
  listen(onConnection: (connection: Connection) => void): Promise<ListenerAddress>;
  /** Stop accepting; existing connections stay until the broker closes them. */
  close(): Promise<void>;
}

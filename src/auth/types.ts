// The auth seam: providers in an ordered chain, each answering allow / deny / defer.
export type Decision = 'allow' | 'deny' | 'defer';

/** Who is asking: fixed at CONNECT, passed to every check. */
export interface Identity {
  readonly clientId: string;
  readonly username: string | undefined;
  readonly remoteAddress: string;
  readonly listenerId: string;
  /** Set by an authenticating provider that says so; superusers skip ACL checks. */
  superuser?: boolean;
}

export interface Credentials extends Identity {
  readonly password: Buffer | undefined;
}

export interface AuthResult {
  decision: Decision;
  superuser?: boolean;
  /** MQTT 5 CONNACK reason code for a deny; defaults to 0x86 Bad User Name or Password. */
  reasonCode?: number;
}

export interface AuthProvider {
  readonly name: string;
  authenticate(credentials: Credentials): AuthResult | Promise<AuthResult>;
  authorizePublish?(who: Identity, topic: string, qos: number, retain: boolean): Decision | Promise<Decision>;
  authorizeSubscribe?(who: Identity, filter: string, qos: number): Decision | Promise<Decision>;
  /** Checked for every delivered message; must answer synchronously (from a cache) to keep fan-out fast. */
  authorizeRead?(who: Identity, topic: string): Decision;
  close?(): Promise<void>;
}

/** What the engine asks of authentication and authorization: one chain, or one per listener. */
export interface AuthChecks {
  /** False when no provider checks topics: the delivery path skips per-message read checks. */
  readonly hasAcl: boolean;
  authenticate(credentials: Credentials): Promise<AuthResult>;
  authorizePublish(who: Identity, topic: string, qos: number, retain: boolean): Decision | Promise<Decision>;
  authorizeSubscribe(who: Identity, filter: string, qos: number): Decision | Promise<Decision>;
  authorizeRead(who: Identity, topic: string): boolean;
  close(): Promise<void>;
}

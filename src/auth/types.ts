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
  /** The user an enhanced authentication proved (its exchange names the user, not CONNECT's User Name). */
  username?: string;
}

/** One step of an MQTT 5 enhanced authentication exchange (section 4.12), as a provider answers it. */
export type EnhancedAuthStep =
  /** Send AUTH 0x18 Continue authentication with this data and wait for the client's next AUTH. */
  | { readonly kind: 'continue'; readonly data: Buffer }
  /** Done: `result` decides; `data` (if any) goes to the client in CONNACK or in AUTH 0x00. */
  | { readonly kind: 'done'; readonly result: AuthResult; readonly data?: Buffer };

/** A provider's side of one enhanced authentication exchange (the CONNECT one, or a re-authentication). */
export interface EnhancedAuthConversation {
  /** The client's Authentication Data of CONNECT or of its AUTH packet. */
  step(data: Buffer | undefined): EnhancedAuthStep | Promise<EnhancedAuthStep>;
}

export interface AuthProvider {
  readonly name: string;
  authenticate(credentials: Credentials): AuthResult | Promise<AuthResult>;
  authorizePublish?(who: Identity, topic: string, qos: number, retain: boolean): Decision | Promise<Decision>;
  authorizeSubscribe?(who: Identity, filter: string, qos: number): Decision | Promise<Decision>;
  /** Checked for every delivered message; must answer synchronously (from a cache) to keep fan-out fast. */
  authorizeRead?(who: Identity, topic: string): Decision;
  /** Opens what the provider needs at broker start (creates the embedded store); a throw stops the start. */
  start?(): Promise<void>;
  /** After a client is accepted: loads what the synchronous read check will need for it. */
  prepare?(who: Identity): Promise<void>;
  /** Which rule decides `query` and why; answers like the authorize methods, without caching effects. */
  explain?(query: ExplainQuery): Promise<Explanation>;
  /**
   * MQTT 5 enhanced authentication: a new exchange for the Authentication Method `method`, or undefined when this
   * provider does not offer that method. `who` is the connecting client (its CONNECT User Name, if any).
   */
  startEnhancedAuth?(method: string, who: Identity): EnhancedAuthConversation | undefined;
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
  /** Starts every provider (broker start). */
  start(): Promise<void>;
  /** Lets providers load a newly accepted client's rules before its first delivery. */
  prepare(who: Identity): Promise<void>;
  /** Which provider and rule decide the query, for a client of `listenerId` (the first listener if absent). */
  explain(query: ExplainQuery, listenerId?: string): Promise<Explanation>;
  /** The first provider offering `method` starts the exchange; undefined when none does [MQTT-4.12.0-1]. */
  startEnhancedAuth(method: string, who: Identity): EnhancedAuthConversation | undefined;
  close(): Promise<void>;
}

/** What a client wants to do with a topic: PUBLISH (write), SUBSCRIBE (subscribe) or receive a message (read). */
export type Access = 'read' | 'write' | 'subscribe';

/** Why one ACL or authentication question was answered the way it was (`midge acl explain`, denial logs). */
export interface Explanation {
  decision: Decision;
  /** The provider that decided ('chain' when every provider deferred, or for superusers). */
  provider: string;
  /** The rule that decided, as its source shows it (an acls row, an acl_file line, a Redis key). */
  rule?: string;
  /** One sentence for people. */
  reason: string;
}

/** The question `explain` answers: may user U, connected as client C, do A on topic T? */
export interface ExplainQuery {
  username: string | undefined;
  clientId: string;
  topic: string;
  access: Access;
}

/** A user of a writable store; the password hash stays inside the store. */
export interface StoredUser {
  username: string;
  superuser: boolean;
}

/** One row of the acls table: `rw` in the store's convention (auth-plug: 1 read, 2 read and write). */
export interface StoredAcl {
  username: string;
  topic: string;
  rw: number;
}

/**
 * The admin interface of a writable auth store: the embedded SQLite store (users(username, password,
 * superuser), acls(username, topic, rw)) that Midge uses when the config names no other auth source.
 * `midge user|acl` builds on it through `openAuthStore(config)` of the public API.
 *
 * Every method validates first and changes nothing on bad input, throwing an `AuthStoreError` with a stable
 * code: MIDGE_AUTH_USER_EXISTS, MIDGE_AUTH_UNKNOWN_USER, MIDGE_AUTH_BAD_USERNAME, MIDGE_AUTH_BAD_TOPIC,
 * MIDGE_AUTH_BAD_RW, MIDGE_AUTH_UNKNOWN_ACL, MIDGE_AUTH_STORE_UNAVAILABLE. A change is visible to a broker
 * running on the same store at once (the broker drops its cached decisions when the database changes).
 */
export interface AuthStoreAdmin {
  /** Where the store lives (the database file), for messages. */
  readonly location: string;
  /** Adds a user; the password is hashed with src/auth/password.ts, or `passwordHash` is stored as given. */
  addUser(
    username: string,
    password: string,
    options?: { superuser?: boolean; passwordHash?: string },
  ): Promise<void>;
  /** Removes a user and every ACL row of that user. */
  removeUser(username: string): Promise<void>;
  listUsers(): Promise<StoredUser[]>;
  setPassword(username: string, password: string, options?: { passwordHash?: string }): Promise<void>;
  setSuperuser(username: string, superuser: boolean): Promise<void>;
  /** Adds (or changes the rw of) the row for this user and topic filter. rw: 1 read, 2 read and write. */
  addAcl(username: string, topic: string, rw: number): Promise<void>;
  /** Removes the row for this user and topic filter. */
  removeAcl(username: string, topic: string): Promise<void>;
  /** Every row, or one user's rows, ordered by username then topic. */
  listAcls(username?: string): Promise<StoredAcl[]>;
  close(): Promise<void>;
}

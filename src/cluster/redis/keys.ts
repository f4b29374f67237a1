// Where the cluster's shared state lives in Redis (docs/CLUSTER.md, "What lives where"). Everything the
// Lua scripts touch together carries the hash tag {midge}, so on a Redis Cluster it sits in one slot and a
// script may use it atomically; each node's inbound stream has its own tag, so streams spread over shards.

/** Prefix of every {midge} key; scripts build per-node keys from it. */
export const PREFIX = '{midge}:';

export const KEYS = {
  /** ZSET node → lease end (ms, Redis clock). */
  nodes: `${PREFIX}nodes`,
  /** SET of the route filters a node has local subscribers for. */
  routes: (node: string) => `${PREFIX}routes:${node}`,
  /** STRING "node|token": which connection holds a client id [MQTT-3.1.4-2]. */
  client: (clientId: string) => `${PREFIX}client:${clientId}`,
  /** SET of the client ids a node claimed, released when its lease expires. */
  claims: (node: string) => `${PREFIX}claims:${node}`,
  /** HASH clientId → "delay|will" of a node's connected clients, published by others if it dies. */
  wills: (node: string) => `${PREFIX}wills:${node}`,
  /** ZSET clientId → when an orphaned will is due; HASH clientId → its bytes. */
  willsDue: `${PREFIX}wills-due`,
  willsOrphan: `${PREFIX}wills-orphan`,
  /** HASH topic → retained message, read by a node when it joins. */
  retained: `${PREFIX}retained`,
  /** Pub/sub channel of route and membership changes. */
  events: `${PREFIX}events`,
  /** A node's inbound stream: one entry per batch another node sent it. */
  stream: (node: string) => `midge:stream:{${node}}`,
};

/** Separates the words of an event (filters may hold spaces, never NUL). */
export const EVENT_SEP = '\u0000';

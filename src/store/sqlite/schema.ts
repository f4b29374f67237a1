// The SQLite schema. A message fanned out to many sessions is stored once (messages) and referenced by one
// outgoing row per session; MQTT 5 properties, wills and subscription options are stored with v8
// serialization, which keeps Buffers (correlation data) and user property pairs as they were.
export const SCHEMA_VERSION = 1;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
  client_id TEXT PRIMARY KEY,
  expiry_interval INTEGER NOT NULL,
  expires_at INTEGER,
  will BLOB,
  will_at INTEGER
);
CREATE TABLE IF NOT EXISTS subscriptions (
  client_id TEXT NOT NULL,
  filter TEXT NOT NULL,
  options BLOB NOT NULL,
  PRIMARY KEY (client_id, filter)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY,
  topic TEXT NOT NULL,
  payload BLOB NOT NULL,
  qos INTEGER NOT NULL,
  retain INTEGER NOT NULL,
  properties BLOB,
  origin TEXT,
  received_at INTEGER NOT NULL,
  expires_at INTEGER
);
CREATE TABLE IF NOT EXISTS outgoing (
  seq INTEGER PRIMARY KEY,
  client_id TEXT NOT NULL,
  message_id INTEGER NOT NULL,
  qos INTEGER NOT NULL,
  retain INTEGER NOT NULL,
  subscription_ids BLOB,
  packet_id INTEGER,
  released INTEGER NOT NULL DEFAULT 0
);
-- An index by client cost every queued message a B-tree insert; sessions delete their rows by seq instead.
DROP INDEX IF EXISTS outgoing_by_client;
CREATE TABLE IF NOT EXISTS inbound (
  client_id TEXT NOT NULL,
  packet_id INTEGER NOT NULL,
  PRIMARY KEY (client_id, packet_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS retained (
  topic TEXT PRIMARY KEY,
  payload BLOB NOT NULL,
  qos INTEGER NOT NULL,
  properties BLOB,
  origin TEXT,
  received_at INTEGER NOT NULL,
  expires_at INTEGER
);
`;

-- The users and ACLs of the compose.yaml deployment, in mosquitto-auth-plug's layout. PostgreSQL runs this once,
-- when its volume is empty. Demo users: client / 'client secret', server / 'server secret' — change them
-- (hashes from `midge passwd -b FILE NAME PASSWORD`, or any hash the README lists).
CREATE TABLE users (
  id SERIAL PRIMARY KEY,
  username TEXT UNIQUE NOT NULL,
  password TEXT NOT NULL,
  superuser INT NOT NULL DEFAULT 0
);
CREATE TABLE acls (
  id SERIAL PRIMARY KEY,
  username TEXT NOT NULL,
  topic TEXT NOT NULL,
  rw INT NOT NULL
);
INSERT INTO users (username, password) VALUES
  ('client', '$7$101$z9yNYBf9/ipbLRu2$UzPGK78k6/p2dDSKAQRLBoDyqPWztU/0gaij7bJZAwdH/kw8TnbqN05LPyK1RO/lp4wQ6fw6Zz/5+3BsUXO8FA=='),
  ('server', '$7$101$AX+d6EVd+eEsdBVj$XJhp4ja7FIymnBq2pLjz4NgP14n5TtMO5I91ykPkXT+1Sne4H/g+Li6mNfpDp/lAa+pnYfnUse+j+tQWgrA4kA==');
-- rw 1: read (and subscribe), 2: read and write.
INSERT INTO acls (username, topic, rw) VALUES
  ('client', '/p/client/upload', 2),
  ('server', '/p/client/upload', 2),
  ('client', '/p/client/download', 1),
  ('server', '/p/client/download', 2);

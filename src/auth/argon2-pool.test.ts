import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Argon2Pool, type Argon2Job } from './argon2-pool.js';
import { parseArgon2Hash } from './password-argon2.js';

// The reference `argon2` tool: `echo -n password | argon2 somesalt -id -t 2 -m 10 -p 1 -e`.
const REFERENCE = parseArgon2Hash(
  '$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHQ$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk',
);

const job = (password: string, memorySize = REFERENCE.memoryKiB): Argon2Job => ({
  variant: 'argon2id',
  password: Buffer.from(password),
  salt: REFERENCE.salt,
  parallelism: 1,
  iterations: REFERENCE.passes,
  memorySize,
  hashLength: REFERENCE.hash.length,
});

test('a worker computes the reference Argon2id output', async (t) => {
  const pool = new Argon2Pool(1);
  t.after(() => pool.close());
  assert.deepEqual(await pool.derive(job('password')), REFERENCE.hash);
  assert.notDeepEqual(await pool.derive(job('passwore')), REFERENCE.hash);
});

test('the event loop keeps turning while a 64 MiB Argon2 hash is computed', async (t) => {
  const pool = new Argon2Pool(1);
  t.after(() => pool.close());
  let turns = 0;
  let running = true;
  const spin = (): void => {
    turns++;
    if (running) setImmediate(spin);
  };
  setImmediate(spin);
  await pool.derive(job('password', 65_536));
  running = false;
  // On the main thread the whole hash would run before any setImmediate callback.
  assert.ok(turns > 1, `event-loop turns during the hash: ${turns}`);
});

test('derivations beyond the queue bound fail at once with MIDGE_AUTH_HASH_BUSY; the rest complete', async (t) => {
  const pool = new Argon2Pool(1, 1);
  t.after(() => pool.close());
  const running = pool.derive(job('password'));
  const queued = pool.derive(job('password'));
  await assert.rejects(pool.derive(job('password')), (e: Error & { code?: string }) => {
    return e.code === 'MIDGE_AUTH_HASH_BUSY';
  });
  assert.deepEqual(await running, REFERENCE.hash);
  assert.deepEqual(await queued, REFERENCE.hash);
});

test('two pools work side by side, and a closed pool starts a fresh worker when used again', async () => {
  const a = new Argon2Pool(1);
  const b = new Argon2Pool(2);
  const results = await Promise.all([a.derive(job('password')), b.derive(job('password'))]);
  for (const hash of results) assert.deepEqual(hash, REFERENCE.hash);
  await a.close();
  assert.deepEqual(await a.derive(job('password')), REFERENCE.hash);
  await Promise.all([a.close(), b.close()]);
});

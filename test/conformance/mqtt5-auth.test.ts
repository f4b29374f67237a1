// MQTT 5.0 enhanced authentication (section 4.12) with SCRAM-SHA-512 over the mosquitto password file, and
// re-authentication (section 4.12.1). The SCRAM client side below follows RFC 5802 with node:crypto. Rule ids
// are those of the 5.0 list (/work/shared/spec/mqtt-5.0-rules.md), marked "(5.0)".
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import type { RawClient } from '../helpers/raw-client.js';
import { hashPassword } from '../../src/auth/password.js';
import { ClientPool, connect5, expectAlive, publish, receive, subscribe, uid } from './support.js';

const METHOD = 'SCRAM-SHA-512';
const pool = new ClientPool();
let broker: StartedBroker;
let dir: string;

const hmac = (key: Buffer, text: string): Buffer => crypto.createHmac('sha512', key).update(text).digest();
const sha512 = (data: Buffer): Buffer => crypto.createHash('sha512').update(data).digest();

/** The client half of one SCRAM exchange. */
class ScramClient {
  readonly firstBare: string;
  #authMessage = '';
  #salted = Buffer.alloc(0);

  constructor(
    user: string,
    private readonly password: string,
  ) {
    this.firstBare = `n=${user},r=${crypto.randomBytes(12).toString('base64')}`;
  }

  get first(): Buffer {
    return Buffer.from(`n,,${this.firstBare}`);
  }

  final(serverFirst: Buffer): Buffer {
    const text = serverFirst.toString();
    const fields = new Map(text.split(',').map((p) => [p[0], p.slice(2)]));
    assert.ok(fields.get('r')?.startsWith(this.firstBare.split(',r=')[1] as string), 'nonce extends ours');
    const salt = Buffer.from(fields.get('s') as string, 'base64');
    this.#salted = crypto.pbkdf2Sync(this.password, salt, Number(fields.get('i')), 64, 'sha512');
    const withoutProof = `c=biws,r=${fields.get('r')}`;
    this.#authMessage = `${this.firstBare},${text},${withoutProof}`;
    const clientKey = hmac(this.#salted, 'Client Key');
    const signature = hmac(sha512(clientKey), this.#authMessage);
    const proof = Buffer.from(clientKey.map((byte, i) => byte ^ (signature[i] as number)));
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`);
  }

  /** The server-final message proves the server knows the password too. */
  verify(serverFinal: Buffer | undefined): void {
    const expected = hmac(hmac(this.#salted, 'Server Key'), this.#authMessage).toString('base64');
    assert.equal(serverFinal?.toString(), `v=${expected}`);
  }
}

/** CONNECT with SCRAM; returns the client and the CONNACK after the AUTH turn. */
async function scramConnect(user: string, password: string, clientId = uid()) {
  const scram = new ScramClient(user, password);
  const { client, connack: first } = await connect5Raw(clientId, scram.first);
  return { client, scram, first };
}

async function connect5Raw(clientId: string, data: Buffer) {
  const client = await pool.open(5);
  client.send({
    type: 'connect',
    protocolName: 'MQTT',
    protocolVersion: 5,
    clean: true,
    keepalive: 60,
    clientId,
    properties: { authenticationMethod: METHOD, authenticationData: data },
  });
  return { client, connack: await client.next() };
}

async function continueWith(client: RawClient, scram: ScramClient, serverFirst: Buffer, method = METHOD) {
  client.send({
    type: 'auth',
    reasonCode: 0x18,
    properties: { authenticationMethod: method, authenticationData: scram.final(serverFirst) },
  });
  return client.next();
}

describe('MQTT 5.0 enhanced authentication (SCRAM-SHA-512)', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'midge-scram-'));
    const passwordFile = join(dir, 'passwd');
    writeFileSync(
      passwordFile,
      `alice:${hashPassword('wonderland')}\nbob:${hashPassword('builder')}\nold:${hashPassword('x', { format: '6' })}\n`,
    );
    broker = await startBroker({ allowAnonymous: true, passwordFile });
    pool.port = broker.port;
  });
  afterEach(() => pool.closeAll());
  after(async () => {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('(5.0) [MQTT-4.12.0-2][MQTT-4.12.0-5] AUTH 0x18 carries the method and the challenge; the CONNACK names the method and proves the server', async () => {
    const { client, scram, first } = await scramConnect('alice', 'wonderland');
    assert.equal(first?.type, 'auth');
    assert.ok(first?.type === 'auth');
    assert.equal(first.reasonCode, 0x18);
    assert.equal(first.properties?.authenticationMethod, METHOD);
    const connack = await continueWith(client, scram, first.properties?.authenticationData as Buffer);
    assert.ok(connack?.type === 'connack', JSON.stringify(connack));
    assert.equal(connack.reasonCode, 0);
    assert.equal(connack.properties?.authenticationMethod, METHOD);
    scram.verify(connack.properties?.authenticationData);
    await expectAlive(client);
  });

  test('(5.0) [MQTT-4.12.0-4] a wrong password: CONNACK 0x86 and the connection is closed', async () => {
    const { client, scram, first } = await scramConnect('alice', 'looking glass');
    assert.ok(first?.type === 'auth');
    const connack = await continueWith(client, scram, first.properties?.authenticationData as Buffer);
    assert.ok(connack?.type === 'connack');
    assert.equal(connack.reasonCode, 0x86);
    await client.expectClose();
  });

  for (const user of ['nobody', 'old']) {
    test(`(5.0) [MQTT-4.12.0-4] ${user === 'old' ? 'a user with a $6$ hash (no SCRAM key)' : 'an unknown user'} gets the same challenge shape, then CONNACK 0x86`, async () => {
      const { client, scram, first } = await scramConnect(user, 'x');
      assert.ok(first?.type === 'auth', 'no early answer tells who exists');
      const connack = await continueWith(client, scram, first.properties?.authenticationData as Buffer);
      assert.ok(connack?.type === 'connack');
      assert.equal(connack.reasonCode, 0x86);
    });
  }

  test('(5.0) [MQTT-4.12.0-1] an Authentication Method nobody offers: CONNACK 0x8C, then close', async () => {
    const { client, connack } = await connect5(pool, uid(), {
      properties: { authenticationMethod: 'KERBEROS' },
    });
    assert.equal(connack.reasonCode, 0x8c);
    await client.expectClose();
  });

  test('(5.0) [MQTT-4.12.0-6][MQTT-4.12.0-7] without a method in CONNECT there is no method in CONNACK, and an AUTH is a Protocol Error', async () => {
    const { client, connack } = await connect5(pool, uid());
    assert.equal(connack.properties?.authenticationMethod, undefined);
    client.send({ type: 'auth', reasonCode: 0x19, properties: { authenticationMethod: METHOD } });
    assert.deepEqual(await client.expectClose(), [{ type: 'disconnect', reasonCode: 0x82 }]);
  });

  async function authenticated(): Promise<RawClient> {
    const { client, scram, first } = await scramConnect('bob', 'builder');
    assert.ok(first?.type === 'auth');
    const connack = await continueWith(client, scram, first.properties?.authenticationData as Buffer);
    assert.ok(connack?.type === 'connack' && connack.reasonCode === 0);
    return client;
  }

  async function reauthenticate(client: RawClient, password: string, method = METHOD) {
    const scram = new ScramClient('bob', password);
    client.send({
      type: 'auth',
      reasonCode: 0x19,
      properties: { authenticationMethod: method, authenticationData: scram.first },
    });
    const challenge = await client.next();
    assert.ok(challenge?.type === 'auth' && challenge.reasonCode === 0x18, JSON.stringify(challenge));
    return {
      scram,
      challenge,
      answer: await continueWith(client, scram, challenge.properties?.authenticationData as Buffer),
    };
  }

  test('(5.0) [MQTT-3.15.2-1][MQTT-3.15.2-2][MQTT-3.15.2-3] the AUTH packets the server sends carry defined reason codes (0x18, 0x00) and never a Reason String or User Property', async () => {
    const client = await authenticated();
    const { challenge, answer } = await reauthenticate(client, 'builder');
    for (const auth of [challenge, answer]) {
      assert.ok(auth?.type === 'auth', JSON.stringify(auth));
      assert.ok([0x00, 0x18].includes(auth.reasonCode ?? 0));
      assert.equal(auth.properties?.reasonString, undefined);
      assert.equal(auth.properties?.userProperties, undefined);
    }
  });

  test('(5.0) [MQTT-4.12.1-1] re-authentication: AUTH 0x19, AUTH 0x18 turns, AUTH 0x00; the connection goes on', async () => {
    const client = await authenticated();
    const topic = uid('t');
    await subscribe(client, topic, 1);
    const { scram, answer } = await reauthenticate(client, 'builder');
    assert.ok(answer?.type === 'auth', JSON.stringify(answer));
    assert.equal(answer.reasonCode ?? 0, 0);
    assert.equal(answer.properties?.authenticationMethod, METHOD);
    scram.verify(answer.properties?.authenticationData);
    const other = await pool.connect(uid('v4'));
    await publish(other, topic, 'still here', { qos: 1 });
    assert.equal((await receive(client)).payload.toString(), 'still here');
  });

  test('(5.0) [MQTT-4.12.1-2] a failed re-authentication: DISCONNECT with a reason code, then close', async () => {
    const client = await authenticated();
    const { answer } = await reauthenticate(client, 'wrong');
    assert.ok(answer?.type === 'disconnect', JSON.stringify(answer));
    assert.ok((answer.reasonCode ?? 0) >= 0x80);
    await client.expectClose();
  });

  test('(5.0) [MQTT-4.12.1-1] re-authentication with another method is a Protocol Error: DISCONNECT 0x82', async () => {
    const client = await authenticated();
    client.send({ type: 'auth', reasonCode: 0x19, properties: { authenticationMethod: 'PLAIN' } });
    assert.deepEqual(await client.expectClose(), [{ type: 'disconnect', reasonCode: 0x82 }]);
  });
});

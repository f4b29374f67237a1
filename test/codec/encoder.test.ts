// Encoder specifics: what is left out below 5.0, and packets that cannot be encoded (RangeError: a bug in
// the caller, never a ProtocolError).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodePacket, encode, packetSize } from '../../src/protocol/index.js';
import type { Packet } from '../../src/protocol/index.js';

describe('encode', () => {
  test('properties and 5.0 reason codes are left out below 5.0', () => {
    const puback: Packet = {
      type: 'puback',
      packetId: 1,
      reasonCode: 0x87,
      properties: { reasonString: 'no' },
    };
    assert.equal(encode(puback, 4).toString('hex'), '40020001');
    const pub: Packet = {
      type: 'publish',
      topic: 't',
      payload: Buffer.from('x'),
      qos: 0,
      retain: false,
      dup: false,
      properties: { topicAlias: 1 },
    };
    assert.equal(encode(pub, 4).toString('hex'), '300400017478');
    assert.equal(encode({ type: 'disconnect', reasonCode: 0x8e }, 4).toString('hex'), 'e000');
    assert.equal(
      encode({ type: 'unsuback', packetId: 2, reasonCodes: [0x11] }, 4).toString('hex'),
      'b0020002',
    );
  });

  test('[MQTT-3.9.3-2] a 3.1.1 SUBACK failure is always 0x80', () => {
    assert.equal(
      encode({ type: 'suback', packetId: 1, reasonCodes: [0x87, 1] }, 4).toString('hex'),
      '9004000180' + '01',
    );
  });

  test('a 5.0 DISCONNECT or AUTH with a non-zero reason code writes the reason code and an empty Property Length', () => {
    assert.equal(encode({ type: 'disconnect', reasonCode: 0x8e }, 5).toString('hex'), 'e0028e00');
    assert.equal(encode({ type: 'auth', reasonCode: 0x18 }, 5).toString('hex'), 'f0021800');
  });

  test('CONNECT is encoded at its own protocol level whatever the version argument', () => {
    const connect: Packet = {
      type: 'connect',
      protocolName: 'MQTT',
      protocolVersion: 5,
      clean: true,
      keepalive: 0,
      clientId: 'c',
      properties: { sessionExpiryInterval: 1 },
    };
    assert.deepEqual(encode(connect, 4), encode(connect, 5));
    assert.deepEqual(decodePacket(encode(connect, 3), 4), connect);
  });

  test('packetSize equals the encoded length', () => {
    const pub: Packet = {
      type: 'publish',
      topic: 'é',
      payload: Buffer.alloc(300),
      qos: 1,
      retain: false,
      dup: false,
      packetId: 1,
    };
    assert.equal(packetSize(pub, 5), encode(pub, 5).length);
  });

  const unencodable: [string, Packet, 3 | 4 | 5][] = [
    ['AUTH before 5.0', { type: 'auth' }, 4],
    [
      'PUBLISH QoS 1 without a packet id',
      { type: 'publish', topic: 't', payload: Buffer.alloc(0), qos: 1, retain: false, dup: false },
      4,
    ],
    [
      'PUBLISH with QoS 3',
      { type: 'publish', topic: 't', payload: Buffer.alloc(0), qos: 3 as 0, retain: false, dup: false },
      4,
    ],
    ['SUBSCRIBE without filters', { type: 'subscribe', packetId: 1, subscriptions: [] }, 4],
    [
      'SUBSCRIBE with packet id 0',
      { type: 'subscribe', packetId: 0, subscriptions: [{ topicFilter: 'a', qos: 0 }] },
      4,
    ],
    ['UNSUBSCRIBE without filters', { type: 'unsubscribe', packetId: 1, topicFilters: [] }, 4],
    [
      'a property not allowed in the packet (Topic Alias in CONNACK)',
      { type: 'connack', sessionPresent: false, reasonCode: 0, properties: { topicAlias: 1 } },
      5,
    ],
    [
      'two subscription identifiers on SUBSCRIBE',
      {
        type: 'subscribe',
        packetId: 1,
        subscriptions: [{ topicFilter: 'a', qos: 0 }],
        properties: { subscriptionIdentifiers: [1, 2] },
      },
      5,
    ],
    [
      'a 3.1.1 password without a user name [MQTT-3.1.2-22]',
      {
        type: 'connect',
        protocolName: 'MQTT',
        protocolVersion: 4,
        clean: true,
        keepalive: 0,
        clientId: 'c',
        password: Buffer.from('p'),
      },
      4,
    ],
    ['a packet id above 65535', { type: 'puback', packetId: 65536 }, 4],
    [
      'a binary field over 65535 bytes',
      { type: 'auth', properties: { authenticationData: Buffer.alloc(65536) } },
      5,
    ],
  ];
  for (const [name, packet, version] of unencodable) {
    test(`refuses ${name} with RangeError`, () => {
      assert.throws(() => encode(packet, version), RangeError);
    });
  }
});

// Step-1 smoke test: one packet of every type per version, encoded, decoded, streamed byte by byte.
import {
  encode,
  FrameDecoder,
  decodePacket,
  encodePublishFrame,
  stampPacketId,
} from '../../src/protocol/index.js';
import type { Packet, ProtocolVersion } from '../../src/protocol/index.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import mqttPacket from 'mqtt-packet';

const props5 = { userProperties: [['a', 'b'] as const, ['a', 'c'] as const] };
function packets(v: ProtocolVersion): Packet[] {
  const p5 = v === 5;
  const list: Packet[] = [
    {
      type: 'connect',
      protocolName: v === 3 ? 'MQIsdp' : 'MQTT',
      protocolVersion: v,
      clean: true,
      keepalive: 60,
      clientId: 'c1',
      username: 'u',
      password: Buffer.from('p'),
      will: {
        topic: 'w',
        payload: Buffer.from('bye'),
        qos: 1,
        retain: true,
        ...(p5 ? { properties: { willDelayInterval: 5, contentType: 'x' } } : {}),
      },
      ...(p5 ? { properties: { sessionExpiryInterval: 10, receiveMaximum: 5, ...props5 } } : {}),
    },
    {
      type: 'connack',
      sessionPresent: true,
      reasonCode: 0,
      ...(p5 ? { properties: { maximumQoS: 1, topicAliasMaximum: 3 } } : {}),
    },
    { type: 'publish', topic: 'a/b', payload: Buffer.from('hi'), qos: 0, retain: false, dup: false },
    {
      type: 'publish',
      topic: 'a/b',
      payload: Buffer.from('hi'),
      qos: 2,
      retain: true,
      dup: true,
      packetId: 7,
      ...(p5
        ? { properties: { subscriptionIdentifiers: [1, 300], correlationData: Buffer.from([1, 2]) } }
        : {}),
    },
    { type: 'puback', packetId: 1 },
    { type: 'pubrec', packetId: 2, ...(p5 ? { reasonCode: 0x10 } : {}) },
    {
      type: 'pubrel',
      packetId: 3,
      ...(p5 ? { reasonCode: 0x92, properties: { reasonString: 'nope' } } : {}),
    },
    { type: 'pubcomp', packetId: 4 },
    {
      type: 'subscribe',
      packetId: 5,
      subscriptions: p5
        ? [{ topicFilter: 'a/#', qos: 1, noLocal: true, retainAsPublished: false, retainHandling: 2 }]
        : [
            { topicFilter: 'a/#', qos: 1 },
            { topicFilter: '+', qos: 2 },
          ],
    },
    { type: 'suback', packetId: 5, reasonCodes: [1, 0x80] },
    { type: 'unsubscribe', packetId: 6, topicFilters: ['a/#', 'b'] },
    { type: 'unsuback', packetId: 6, ...(p5 ? { reasonCodes: [0, 0x11] } : {}) },
    { type: 'pingreq' },
    { type: 'pingresp' },
    { type: 'disconnect', ...(p5 ? { reasonCode: 4 } : {}) },
  ];
  if (p5)
    list.push({
      type: 'auth',
      reasonCode: 0x18,
      properties: { authenticationMethod: 'SCRAM', authenticationData: Buffer.from('xyz') },
    });
  return list;
}
for (const v of [3, 4, 5] as const) {
  test(`smoke: every packet type encodes, decodes and streams at version ${v}`, () => {
    const all: Buffer[] = [];
    for (const p of packets(v)) {
      const bytes = encode(p, v);
      all.push(bytes);
      const back = decodePacket(bytes, v);
      assert.deepEqual(back, p, `v${v} ${p.type}`);
      // mqtt-packet parses it?
      const parser = mqttPacket.parser({ protocolVersion: v });
      let got: unknown;
      let err: unknown;
      parser.on('packet', (x: unknown) => (got = x));
      parser.on('error', (e: unknown) => (err = e));
      parser.parse(bytes);
      assert.ok(!err && got, `mqtt-packet parses our v${v} ${p.type}`);
    }
    const stream = Buffer.concat(all);
    const d = new FrameDecoder();
    const out: Packet[] = [];
    for (let i = 0; i < stream.length; i++) d.push(stream.subarray(i, i + 1), (p) => out.push(p));
    assert.equal(out.length, all.length);
    assert.equal(d.protocolVersion, v);
    const out2: Packet[] = [];
    new FrameDecoder().push(stream, (p) => out2.push(p));
    assert.deepEqual(out2, packets(v));
    const f = encodePublishFrame(
      { type: 'publish', topic: 't', payload: Buffer.from('x'), qos: 1, retain: false, dup: false },
      v,
    );
    const s = stampPacketId(f, 513, true);
    assert.deepEqual(decodePacket(s, v), {
      type: 'publish',
      topic: 't',
      payload: Buffer.from('x'),
      qos: 1,
      retain: false,
      dup: true,
      packetId: 513,
    });
  });
}

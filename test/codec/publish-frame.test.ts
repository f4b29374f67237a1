// Encode-once PUBLISH frames: the same bytes for every subscriber, a patched copy per QoS 1/2 delivery.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodePacket, encode, encodePublishFrame, stampPacketId } from '../../src/protocol/index.js';
import type { PublishPacket } from '../../src/protocol/index.js';

const base: PublishPacket = {
  type: 'publish',
  topic: 'fan/out/é',
  payload: Buffer.from('hello subscribers'),
  qos: 1,
  retain: true,
  dup: false,
};

describe('publish frames', () => {
  for (const version of [3, 4, 5] as const) {
    test(`version ${version}: a QoS 0 frame equals encode() and is shared as is`, () => {
      const packet: PublishPacket = { ...base, qos: 0 };
      const frame = encodePublishFrame(packet, version);
      assert.equal(frame.packetIdOffset, -1);
      assert.deepEqual(frame.bytes, encode(packet, version));
      assert.equal(stampPacketId(frame, 7, false), frame.bytes);
    });

    for (const qos of [1, 2] as const) {
      test(`version ${version}: QoS ${qos} frames stamped with a packet id and DUP equal encode()`, () => {
        const packet: PublishPacket = {
          ...base,
          qos,
          ...(version === 5
            ? { properties: { messageExpiryInterval: 10, userProperties: [['k', 'v']] } }
            : {}),
        };
        const frame = encodePublishFrame(packet, version);
        const pristine = Buffer.from(frame.bytes);
        assert.equal(frame.bytes.readUInt16BE(frame.packetIdOffset), 0);
        for (const [packetId, dup] of [
          [1, false],
          [0x1234, true],
          [65535, false],
        ] as const) {
          const stamped = stampPacketId(frame, packetId, dup);
          assert.deepEqual(stamped, encode({ ...packet, packetId, dup }, version));
          assert.deepEqual(decodePacket(stamped, version), { ...packet, packetId, dup });
        }
        assert.deepEqual(frame.bytes, pristine, 'stamping never touches the shared frame');
      });
    }
  }

  test('[MQTT-3.3.1-3] the DUP bit of the stamp replaces the one the frame was encoded with', () => {
    const frame = encodePublishFrame({ ...base, dup: true }, 4);
    assert.equal((frame.bytes[0] as number) & 0x08, 0x08);
    const stamped = stampPacketId(frame, 3, false);
    assert.equal((stamped[0] as number) & 0x08, 0);
    assert.equal(stamped[0], 0x33);
  });

  test('the packet id offset follows a long topic (3-byte remaining length)', () => {
    const packet: PublishPacket = { ...base, topic: 't'.repeat(20000), payload: Buffer.alloc(0) };
    const frame = encodePublishFrame(packet, 4);
    assert.equal(frame.packetIdOffset, 1 + 3 + 2 + 20000);
    assert.deepEqual(decodePacket(stampPacketId(frame, 99, false), 4), { ...packet, packetId: 99 });
  });

  for (const version of [4, 5] as const) {
    test(`version ${version}: a large payload is shared, not copied, and the packet around it is unchanged`, () => {
      const payload = Buffer.alloc(5000, 0x61);
      for (const qos of [0, 1] as const) {
        const packet: PublishPacket = { ...base, qos, payload };
        const frame = encodePublishFrame(packet, version, 4096);
        assert.equal(frame.payload, payload, 'the payload itself, no copy');
        assert.equal(frame.bytes.length + 5000, encode({ ...packet, packetId: 1 }, version).length);
        const whole = qos === 0 ? stampPacketId(frame, 1, false) : stampPacketId(frame, 0x2345, true);
        const expected = qos === 0 ? packet : { ...packet, packetId: 0x2345, dup: true };
        assert.deepEqual(whole, encode(expected, version));
      }
      assert.equal(encodePublishFrame({ ...base, payload }, version, 5001).payload, undefined);
    });
  }

  test('a packet id outside 1..65535 cannot be stamped', () => {
    const frame = encodePublishFrame(base, 4);
    assert.throws(() => stampPacketId(frame, 0, false), RangeError);
    assert.throws(() => stampPacketId(frame, 65536, false), RangeError);
  });
});

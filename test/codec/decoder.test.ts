// FrameDecoder: streaming, version learning, the size limit, payload views, topic cache, error discipline.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FrameDecoder, ProtocolError, decodePacket, encode } from '../../src/protocol/index.js';
import type { Packet, ProtocolVersion, PublishPacket } from '../../src/protocol/index.js';
import { allValidFixtures } from '../fixtures/packets.js';
import { frame, props, pU16, str, text, u16, u8 } from '../fixtures/hex.js';
import { assertProtocolError, decodeChunks, fromHex } from './helpers.js';
import { Prng } from './prng.js';

const MALFORMED = 0x81;
const PACKET_TOO_LARGE = 0x95;

function streamOf(version: ProtocolVersion): { bytes: Buffer; packets: Packet[] } {
  const fixtures = allValidFixtures.filter((f) => f.version === version);
  return {
    bytes: Buffer.concat(fixtures.map((f) => fromHex(f.bytes))),
    packets: fixtures.map((f) => f.packet),
  };
}

const publish = (topic: string, payload: string, extra: Partial<PublishPacket> = {}): PublishPacket => ({
  type: 'publish',
  topic,
  payload: Buffer.from(payload),
  qos: 0,
  retain: false,
  dup: false,
  ...extra,
});

describe('streaming [MQTT-6.0.0-2] packet boundaries need not match chunk boundaries', () => {
  for (const version of [3, 4, 5] as const) {
    const { bytes, packets } = streamOf(version);

    test(`version ${version}: all ${packets.length} fixtures in one chunk`, () => {
      assert.deepEqual(decodeChunks([bytes], version), packets);
    });

    test(`version ${version}: split in two at every one of ${bytes.length - 1} points`, () => {
      for (let i = 1; i < bytes.length; i++) {
        assert.deepEqual(
          decodeChunks([bytes.subarray(0, i), bytes.subarray(i)], version),
          packets,
          `split at ${i}`,
        );
      }
    });

    test(`version ${version}: one byte at a time`, () => {
      const chunks = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
      assert.deepEqual(decodeChunks(chunks, version), packets);
    });

    test(`version ${version}: 200 random chunkings`, () => {
      const prng = new Prng(version * 7919);
      for (let n = 0; n < 200; n++) {
        assert.deepEqual(decodeChunks(prng.chunks(bytes, 12), version), packets);
      }
    });
  }

  test('10,000 PUBLISH packets in one chunk', () => {
    const one = encode(publish('bulk/topic', 'x'), 4);
    const bytes = Buffer.concat(Array.from({ length: 10_000 }, () => one));
    const out = decodeChunks([bytes], 4);
    assert.equal(out.length, 10_000);
    assert.deepEqual(out[9_999], publish('bulk/topic', 'x'));
  });

  test('a 1 MiB PUBLISH arriving in 64 KiB chunks is decoded once, then the buffer is released', () => {
    const big = publish('big', 'z'.repeat(1 << 20), { qos: 1, packetId: 9 });
    const bytes = Buffer.concat([encode(big, 4), encode({ type: 'pingreq' }, 4)]);
    const decoder = new FrameDecoder({ protocolVersion: 4 });
    const out: Packet[] = [];
    for (let i = 0; i < bytes.length; i += 65536) {
      decoder.push(bytes.subarray(i, i + 65536), (p) => out.push(p));
      if (out.length === 0) assert.ok(decoder.buffered <= bytes.length);
    }
    assert.deepEqual(out, [big, { type: 'pingreq' }]);
    assert.equal(decoder.buffered, 0);
  });

  test('only the partial tail is kept', () => {
    const a = encode(publish('a', '1'), 4);
    const b = encode(publish('b', '22'), 4);
    const decoder = new FrameDecoder({ protocolVersion: 4 });
    const out: Packet[] = [];
    decoder.push(Buffer.concat([a, a, b.subarray(0, 3)]), (p) => out.push(p));
    assert.equal(out.length, 2);
    assert.equal(decoder.buffered, 3);
    decoder.push(b.subarray(3), (p) => out.push(p));
    assert.equal(out.length, 3);
    assert.equal(decoder.buffered, 0);
  });
});

describe('protocol version', () => {
  test('a server decoder learns the version from CONNECT, for packets after it in the same chunk', () => {
    const connect = fromHex(frame(0x10, str('MQTT'), u8(5), u8(2), u16(0), props(), str('c')));
    // A 5.0 PUBLISH with a topic alias: its property block only parses at version 5.
    const pub = fromHex(frame(0x30, str('t'), props(pU16(0x23, 2)), text('x')));
    const decoder = new FrameDecoder();
    assert.equal(decoder.protocolVersion, undefined);
    const out: Packet[] = [];
    decoder.push(Buffer.concat([connect, pub]), (p) => out.push(p));
    assert.equal(decoder.protocolVersion, 5);
    assert.deepEqual(out[1], publish('t', 'x', { properties: { topicAlias: 2 } }));
  });

  test('a server decoder learns 3 from an MQIsdp CONNECT', () => {
    const decoder = new FrameDecoder();
    decoder.push(fromHex(frame(0x10, str('MQIsdp'), u8(3), u8(2), u16(0), str('c'))), () => {});
    assert.equal(decoder.protocolVersion, 3);
  });

  test('before CONNECT, other packets decode as 3.1.1', () => {
    const out = decodeChunks([fromHex(frame(0x30, str('t'), text('x')))]);
    assert.deepEqual(out, [publish('t', 'x')]);
  });

  test('before CONNECT, packet type 15 (AUTH) is malformed: it is reserved in 3.1.1', () => {
    assertProtocolError(() => decodeChunks([fromHex('f000')]), MALFORMED);
  });

  test('[MQTT-3.1.2-2] an unsupported level leaves the version unknown', () => {
    const decoder = new FrameDecoder();
    assertProtocolError(
      () => decoder.push(fromHex(frame(0x10, str('MQTT'), u8(7), u8(2), u16(0), str('c'))), () => {}),
      0x84,
      'MQTT-3.1.2-2',
    );
    assert.equal(decoder.protocolVersion, undefined);
  });

  test('a second CONNECT does not change the learnt version (the broker rejects it)', () => {
    const decoder = new FrameDecoder();
    decoder.push(fromHex(frame(0x10, str('MQTT'), u8(4), u8(2), u16(0), str('c'))), () => {});
    decoder.push(fromHex(frame(0x10, str('MQTT'), u8(5), u8(2), u16(0), props(), str('c'))), () => {});
    assert.equal(decoder.protocolVersion, 4);
  });

  test('a client decoder keeps the version it was given', () => {
    const decoder = new FrameDecoder({ role: 'client', protocolVersion: 5 });
    decoder.push(fromHex(frame(0x10, str('MQTT'), u8(4), u8(2), u16(0), str('c'))), () => {});
    assert.equal(decoder.protocolVersion, 5);
  });

  test('the version may be changed between pushes (e.g. by the client after CONNACK)', () => {
    const decoder = new FrameDecoder({ role: 'client' });
    decoder.protocolVersion = 5;
    const out: Packet[] = [];
    decoder.push(fromHex('f000'), (p) => out.push(p));
    assert.deepEqual(out, [{ type: 'auth' }]);
  });
});

describe('maximum packet size', () => {
  test('the header of a too large packet throws 0x95 at once, without waiting for the body', () => {
    const decoder = new FrameDecoder({ maxPacketSize: 1024 });
    // PUBLISH, remaining length 268,435,455: only the 5 header bytes are pushed.
    assertProtocolError(() => decoder.push(fromHex('30ffffff7f'), () => assert.fail()), PACKET_TOO_LARGE);
  });

  test('the limit counts the whole packet: fixed header included', () => {
    const packet = encode(publish('t', 'x'.repeat(100)), 4);
    assert.deepEqual(decodeChunks([packet], 4, packet.length), [publish('t', 'x'.repeat(100))]);
    assertProtocolError(() => decodeChunks([packet], 4, packet.length - 1), PACKET_TOO_LARGE);
  });

  test('a header split across chunks is checked as soon as it is complete', () => {
    const decoder = new FrameDecoder({ maxPacketSize: 100 });
    decoder.push(fromHex('30'), () => assert.fail());
    decoder.push(fromHex('ff'), () => assert.fail());
    assertProtocolError(() => decoder.push(fromHex('01'), () => assert.fail()), PACKET_TOO_LARGE);
  });

  test('a too large packet after a good one in the same chunk: the good one is delivered first', () => {
    const good = encode({ type: 'pingreq' }, 4);
    const out: Packet[] = [];
    const decoder = new FrameDecoder({ maxPacketSize: 10 });
    assertProtocolError(
      () => decoder.push(Buffer.concat([good, fromHex('3020')]), (p) => out.push(p)),
      PACKET_TOO_LARGE,
    );
    assert.deepEqual(out, [{ type: 'pingreq' }]);
  });

  test('the default limit is the protocol maximum, 268,435,455 + 5 bytes', () => {
    const decoder = new FrameDecoder();
    assert.equal(decoder.maxPacketSize, 268_435_460);
    decoder.push(fromHex('30ffffff7f'), () => assert.fail());
    assert.equal(decoder.buffered, 5);
  });
});

describe('zero copy and caching', () => {
  test('a PUBLISH payload is a view of the chunk, not a copy', () => {
    const chunk = Buffer.concat([encode({ type: 'pingreq' }, 4), encode(publish('v', 'payload'), 4)]);
    const [, p] = decodeChunks([chunk], 4) as [Packet, PublishPacket];
    assert.equal(p.payload.buffer, chunk.buffer);
    assert.equal(p.payload.byteOffset, chunk.byteOffset + chunk.length - 7);
  });

  test('a PUBLISH that spans chunks is assembled correctly', () => {
    const bytes = encode(publish('span', 'abcdef'), 4);
    const [p] = decodeChunks([bytes.subarray(0, 8), bytes.subarray(8)], 4) as [PublishPacket];
    assert.equal(p.payload.toString(), 'abcdef');
  });

  test('the topic cache follows topic changes of the same length and survives a bad topic', () => {
    const decoder = new FrameDecoder({ protocolVersion: 4 });
    const out: string[] = [];
    const onPacket = (p: Packet): void => {
      if (p.type === 'publish') out.push(p.topic);
    };
    for (const t of ['a/b', 'a/b', 'a/c', 'a/b', 'é', 'é', 'ü'])
      decoder.push(encode(publish(t, ''), 4), onPacket);
    assert.deepEqual(out, ['a/b', 'a/b', 'a/c', 'a/b', 'é', 'é', 'ü']);
    assertProtocolError(
      () => decoder.push(fromHex(frame(0x30, u16(2), 'c3a9'.slice(0, 2) + 'ff')), onPacket),
      MALFORMED,
    );
    decoder.push(encode(publish('ü', ''), 4), onPacket);
    assert.equal(out.at(-1), 'ü');
  });
});

describe('errors', () => {
  test('an exception thrown by onPacket propagates unchanged', () => {
    const decoder = new FrameDecoder({ protocolVersion: 4 });
    const boom = new TypeError('handler bug');
    assert.throws(
      () =>
        decoder.push(encode({ type: 'pingreq' }, 4), () => {
          throw boom;
        }),
      (err) => err === boom,
    );
  });

  test('after an error the decoder drops what it buffered', () => {
    const decoder = new FrameDecoder({ protocolVersion: 4 });
    decoder.push(fromHex('3003'), () => {});
    assert.equal(decoder.buffered, 2);
    // The rest of the PUBLISH, with an ill-formed topic byte, and the start of another packet.
    assertProtocolError(() => decoder.push(fromHex('0001ff30'), () => {}), MALFORMED, 'MQTT-1.5.3-1');
    assert.equal(decoder.buffered, 0);
  });

  test('decodePacket rejects trailing bytes and incomplete packets', () => {
    assertProtocolError(() => decodePacket(fromHex('c00000'), 4), MALFORMED);
    assertProtocolError(() => decodePacket(fromHex('c0'), 4), MALFORMED);
    assertProtocolError(() => decodePacket(fromHex('3005000161'), 4), MALFORMED);
  });

  test('ProtocolError carries a stable code', () => {
    const err = assertProtocolError(() => decodePacket(fromHex('0000'), 4), MALFORMED);
    assert.ok(err instanceof ProtocolError);
    assert.equal(err.code, 'MIDGE_PROTOCOL_ERROR');
  });
});

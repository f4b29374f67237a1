// Data representations: Variable Byte Integers and UTF-8 strings (3.1.1 section 1.5, 5.0 section 1.5).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FrameDecoder, decodePacket, encode } from '../../src/protocol/index.js';
import { Reader, Writer, varintSize } from '../../src/protocol/primitives.js';
import { frame, str, text, u16 } from '../fixtures/hex.js';
import { assertProtocolError, fromHex } from './helpers.js';

const MALFORMED = 0x81;

describe('Variable Byte Integer', () => {
  const cases: [number, string][] = [
    [0, '00'],
    [127, '7f'],
    [128, '8001'],
    [16383, 'ff7f'],
    [16384, '808001'],
    [2097151, 'ffff7f'],
    [2097152, '80808001'],
    [268435455, 'ffffff7f'],
  ];
  for (const [value, bytes] of cases) {
    test(`${value} is ${bytes}`, () => {
      assert.equal(varintSize(value), bytes.length / 2);
      const w = new Writer(Buffer.alloc(bytes.length / 2));
      w.varint(value);
      assert.equal(w.buf.toString('hex'), bytes);
      const r = new Reader(fromHex(bytes));
      assert.equal(r.varint(), value);
      assert.equal(r.remaining, 0);
    });
    test(`remaining length ${value}: the decoder reads the fixed header ${bytes} and waits for the body`, () => {
      const decoder = new FrameDecoder({ protocolVersion: 4 });
      const packets: unknown[] = [];
      // PINGRESP for 0 (complete at once); PUBLISH otherwise.
      if (value === 0) {
        decoder.push(fromHex('d0' + bytes), (p) => packets.push(p));
        assert.deepEqual(packets, [{ type: 'pingresp' }]);
        assert.equal(decoder.buffered, 0);
        return;
      }
      decoder.push(fromHex('30' + bytes), (p) => packets.push(p));
      assert.equal(packets.length, 0);
      assert.equal(decoder.buffered, 1 + bytes.length / 2);
    });
  }

  test('a 5-byte Variable Byte Integer is malformed', () => {
    assertProtocolError(() => new Reader(fromHex('ffffffff7f')).varint(), MALFORMED);
    assertProtocolError(() => new Reader(fromHex('8080808000')).varint(), MALFORMED);
  });

  test('a 5-byte remaining length is malformed as soon as the fifth byte arrives', () => {
    const decoder = new FrameDecoder({ protocolVersion: 4 });
    decoder.push(fromHex('30ffffff'), () => assert.fail('no packet'));
    assertProtocolError(() => decoder.push(fromHex('ff'), () => assert.fail('no packet')), MALFORMED);
  });

  test('[MQTT-1.5.5-1] an over-long Variable Byte Integer is malformed', () => {
    assertProtocolError(() => new Reader(fromHex('8000')).varint(), MALFORMED, 'MQTT-1.5.5-1');
    assertProtocolError(() => new Reader(fromHex('ff8000')).varint(), MALFORMED, 'MQTT-1.5.5-1');
  });

  test('a truncated Variable Byte Integer is malformed', () => {
    assertProtocolError(() => new Reader(fromHex('ff')).varint(), MALFORMED);
  });

  test('values outside 0..268435455 cannot be encoded', () => {
    assert.throws(() => varintSize(268435456), RangeError);
    assert.throws(() => new Writer(Buffer.alloc(8)).varint(-1), RangeError);
    assert.throws(() => new Writer(Buffer.alloc(8)).varint(268435456), RangeError);
  });
});

describe('UTF-8 strings', () => {
  const topicPacket = (topicHex: string, version: 4 | 5): Buffer =>
    fromHex(frame(0x30, u16(topicHex.length / 2), topicHex, version === 5 ? '00' : '', text('p')));
  const decodeTopic = (topicHex: string, version: 4 | 5 = 4): string => {
    const p = decodePacket(topicPacket(topicHex, version), version);
    assert.equal(p.type, 'publish');
    return p.topic;
  };

  const wellFormed: [string, string][] = [
    ['ASCII', 'a/b'],
    ['2-byte U+00E9', 'caf\u00e9'],
    ['3-byte U+4E2D', '\u4e2d'],
    ['4-byte U+1F600 (a surrogate pair in JavaScript)', '\u{1f600}'],
    ['U+FFFF (a noncharacter, still well-formed)', '\uffff'],
    ['U+007F and U+0080 boundaries', '\u007f\u0080'],
  ];
  for (const [name, s] of wellFormed) {
    test(`${name} decodes`, () => {
      assert.equal(decodeTopic(Buffer.from(s, 'utf8').toString('hex')), s);
    });
  }

  test('[MQTT-1.5.3-3] a leading BOM EF BB BF is kept as U+FEFF, not stripped', () => {
    assert.equal(decodeTopic('efbbbf612f62'), '\ufeffa/b');
    assert.equal(decodeTopic('efbbbf', 5), '\ufeff');
  });

  const illFormed: [string, string][] = [
    ['a lone continuation byte 80', '80'],
    ['byte FF', 'ff'],
    ['byte FE', 'fe'],
    ['over-long 2-byte C0 80 (U+0000 in disguise)', 'c080'],
    ['over-long 3-byte E0 80 AF', 'e080af'],
    ['over-long 4-byte F0 80 80 AF', 'f08080af'],
    ['high surrogate ED A0 80 (U+D800)', 'eda080'],
    ['low surrogate ED BF BF (U+DFFF)', 'edbfbf'],
    ['a surrogate pair encoded as two 3-byte sequences ED A0 BD ED B8 80', 'eda0bdedb880'],
    ['a code point above U+10FFFF (F4 90 80 80)', 'f4908080'],
    ['a truncated 2-byte sequence C3', 'c3'],
    ['a truncated 4-byte sequence F0 9F 98', 'f09f98'],
    ['a start byte followed by ASCII E4 41 41', 'e44141'],
  ];
  for (const [name, h] of illFormed) {
    test(`[MQTT-1.5.3-1] ${name} is malformed`, () => {
      assertProtocolError(() => decodeTopic(h), MALFORMED, 'MQTT-1.5.3-1');
    });
    test(`[MQTT-1.5.4-1] 5.0: ${name} is malformed`, () => {
      assertProtocolError(() => decodeTopic(h, 5), MALFORMED, 'MQTT-1.5.4-1');
    });
  }

  test('[MQTT-1.5.3-2] U+0000 is malformed, anywhere in the string', () => {
    for (const h of ['00', '6100', '0061', 'c3a900', '00e4b8ad']) {
      assertProtocolError(() => decodeTopic(h), MALFORMED, 'MQTT-1.5.3-2');
    }
  });

  test('[MQTT-1.5.4-2] 5.0: U+0000 is malformed', () => {
    assertProtocolError(() => decodeTopic('612f00', 5), MALFORMED, 'MQTT-1.5.4-2');
  });

  test('a string of 65535 bytes round-trips; one of 65536 bytes cannot be encoded', () => {
    const topic = 'x'.repeat(65535);
    const packet = {
      type: 'publish',
      topic,
      payload: Buffer.alloc(0),
      qos: 0,
      retain: false,
      dup: false,
    } as const;
    const bytes = encode(packet, 4);
    // remaining length 65537 = 0x81 0x80 0x04, then the topic length 0xffff
    assert.equal(bytes.toString('hex', 0, 6), '30818004ffff');
    assert.deepEqual(decodePacket(bytes, 4), packet);
    assert.throws(() => encode({ ...packet, topic: topic + 'y' }, 4), RangeError);
    assert.throws(() => encode({ ...packet, topic: 'é'.repeat(32768) }, 4), RangeError);
  });

  test('a string whose length runs past the packet is malformed', () => {
    assertProtocolError(() => decodePacket(fromHex(frame(0x30, u16(5), text('abc'))), 4), MALFORMED);
    assertProtocolError(() => decodePacket(fromHex(frame(0x30, str('a').slice(0, 2))), 4), MALFORMED);
  });
});

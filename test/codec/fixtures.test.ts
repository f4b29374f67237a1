// Decode, encode and round trip over the shared wire fixtures (test/fixtures/packets.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodePacket, encode, packetSize } from '../../src/protocol/index.js';
import type { Packet, Properties } from '../../src/protocol/index.js';
import { PROPERTY_DEFS } from '../../src/protocol/properties.js';
import { allValidFixtures, malformedFixtures, validFixtures } from '../fixtures/packets.js';
import { assertProtocolError, decodeChunks, fromHex } from './helpers.js';

describe('valid fixtures', () => {
  for (const [type, fixtures] of Object.entries(validFixtures)) {
    describe(type, () => {
      for (const f of fixtures) {
        test(`${f.name}: decodes`, () => {
          assert.deepEqual(decodePacket(fromHex(f.bytes), f.version), f.packet);
          assert.deepEqual(decodeChunks([fromHex(f.bytes)], f.version), [f.packet]);
        });
        test(`${f.name}: ${f.canonical === false ? 're-encodes to an equivalent packet' : 'encodes to the same bytes'}`, () => {
          const bytes = encode(f.packet, f.version);
          if (f.canonical !== false) assert.equal(bytes.toString('hex'), f.bytes);
          assert.equal(packetSize(f.packet, f.version), bytes.length);
          assert.deepEqual(decodePacket(bytes, f.version), normalise(f.packet));
        });
      }
    });
  }

  test('every packet type has a fixture, and every version has one where the type exists', () => {
    for (const [type, fixtures] of Object.entries(validFixtures)) {
      const versions = new Set(fixtures.map((f) => f.version));
      if (type === 'auth') assert.deepEqual([...versions], [5]);
      else {
        assert.ok(versions.has(4), `${type} has a 3.1.1 fixture`);
        assert.ok(versions.has(5), `${type} has a 5.0 fixture`);
      }
    }
    const v3 = new Set(allValidFixtures.filter((f) => f.version === 3).map((f) => f.packet.type));
    for (const type of ['connect', 'connack', 'publish', 'subscribe', 'suback', 'unsubscribe', 'puback']) {
      assert.ok(v3.has(type as Packet['type']), `${type} has a 3.1 fixture`);
    }
  });

  test('every MQTT 5 property appears in at least one fixture', () => {
    const seen = new Set<string>();
    const collect = (p: Properties | undefined): void => {
      for (const key of Object.keys(p ?? {})) seen.add(key);
    };
    for (const f of allValidFixtures) {
      collect('properties' in f.packet ? f.packet.properties : undefined);
      if (f.packet.type === 'connect') collect(f.packet.will?.properties);
    }
    const missing = PROPERTY_DEFS.map((d) => d.name).filter((n) => !seen.has(n));
    assert.deepEqual(missing, []);
  });
});

describe('malformed fixtures', () => {
  for (const f of malformedFixtures) {
    test(f.name, () => {
      assertProtocolError(() => decodePacket(fromHex(f.bytes), f.version), f.reasonCode, f.rule);
      assertProtocolError(() => decodeChunks([fromHex(f.bytes)], f.version), f.reasonCode, f.rule);
    });
  }
});

/** What a non-canonical fixture decodes to after re-encoding: a 0x00 reason code is left out. */
function normalise(p: Packet): Packet {
  if ('reasonCode' in p && p.reasonCode === 0 && p.type !== 'connack' && p.properties === undefined) {
    const { reasonCode: _, ...rest } = p;
    return rest as Packet;
  }
  return p;
}

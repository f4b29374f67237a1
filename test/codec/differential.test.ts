// Differential test against mqtt-packet (the reference codec of MQTT.js): 3000 seeded random packets of
// every type and version.
//
// For each packet P (our shape) and M = toMqttPacket(P) (mqtt-packet's shape):
// (a) encode(P) equals mqtt-packet's generate(M) byte for byte, except where both encodings are valid and
//     mqtt-packet picks the longer one (see KNOWN_LONGER); there both byte strings must decode (ours) to P.
//     Properties need no special care: we write in identifier order and M lists them in that order too.
// (b) our decode of generate(M) equals P (up to a 0x00 reason code that mqtt-packet writes and we omit).
// (c) mqtt-packet's parse of encode(P) equals M, compared through canonical() (parser bookkeeping removed),
//     except for AUTH with remaining length 0, which mqtt-packet cannot parse (it always reads a reason code),
//     though 5.0 section 3.15.2.1 allows it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodePacket, encode } from '../../src/protocol/index.js';
import type { Packet, ProtocolVersion } from '../../src/protocol/index.js';
import { canonical, mqttGenerate, mqttParse, toMqttPacket } from './mqtt-packet-map.js';
import { Prng } from './prng.js';
import { randomPacket } from './random-packets.js';

const COUNT = 1000;

/**
 * Where mqtt-packet's encoding is longer than ours and both are valid 5.0:
 * - PUBACK/PUBREC/PUBREL/PUBCOMP with a non-zero reason code and no properties: it adds a Property Length 0,
 *   which 3.4.2.2.1 lets the sender leave out when the Remaining Length is 3 (we do).
 * - DISCONNECT and AUTH with reason 0x00 and no properties: it writes 00 00 where Remaining Length 0 means
 *   the same (3.14.2.1, 3.15.2.1; we write the short form).
 */
function knownLonger(p: Packet, version: ProtocolVersion): boolean {
  if (version !== 5) return false;
  const noProperties = !('properties' in p) || p.properties === undefined;
  switch (p.type) {
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      return noProperties && (p.reasonCode ?? 0) !== 0;
    case 'disconnect':
    case 'auth':
      return noProperties && (p.reasonCode ?? 0) === 0;
    default:
      return false;
  }
}

/** Our decode of bytes that carry an explicit 0x00 reason code yields reasonCode 0 where P may have none. */
function sameIgnoringZeroReason(actual: Packet, expected: Packet): void {
  const strip = (p: Packet): Packet => {
    if (p.type !== 'connack' && 'reasonCode' in p && p.reasonCode === 0) {
      const { reasonCode: _, ...rest } = p;
      return rest as Packet;
    }
    return p;
  };
  assert.deepEqual(strip(actual), strip(expected));
}

describe('differential against mqtt-packet', () => {
  for (const version of [3, 4, 5] as const) {
    test(`version ${version}: ${COUNT} random packets: same bytes, each decodes the other's`, () => {
      const prng = new Prng(20260 + version);
      const seen = new Set<string>();
      let byteIdentical = 0;
      for (let i = 0; i < COUNT; i++) {
        const p = randomPacket(prng, version);
        seen.add(p.type);
        const context = (): string => `#${i} ${JSON.stringify(toMqttPacket(p, version))}`;
        const ours = encode(p, version);
        const theirs = mqttGenerate(p, version);
        // (a)
        if (knownLonger(p, version)) {
          assert.ok(theirs.length > ours.length, context());
        } else {
          assert.equal(ours.toString('hex'), theirs.toString('hex'), context());
          byteIdentical++;
        }
        // (b)
        sameIgnoringZeroReason(decodePacket(theirs, version), p);
        // (c)
        if (p.type === 'auth' && ours.length === 2) continue;
        assert.deepEqual(canonical(mqttParse(ours, version)), canonical(toMqttPacket(p, version)), context());
      }
      assert.equal(seen.size, version === 5 ? 15 : 14, 'every packet type was generated');
      assert.ok(byteIdentical > COUNT * 0.8, `${byteIdentical} byte-identical encodings`);
    });
  }
});

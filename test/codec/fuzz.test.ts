// Fuzz: seeded random bytes and mutations of valid packets, fed whole and in random chunks. Whatever the
// input: only ProtocolError is ever thrown, whole and chunked feeding agree exactly, and every packet that
// decodes re-encodes without throwing and decodes back to itself. Nothing can hang: every input is finite and
// each push either consumes bytes or stops.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FrameDecoder, ProtocolError, decodePacket, encode } from '../../src/protocol/index.js';
import type { Packet, ProtocolVersion } from '../../src/protocol/index.js';
import { allValidFixtures } from '../fixtures/packets.js';
import { Prng } from './prng.js';
import { randomPacket } from './random-packets.js';
import { mutate } from './mutate.js';

const RANDOM_INPUTS = 20_000;
const MUTATIONS = 20_000;

interface Outcome {
  packets: Packet[];
  versions: ProtocolVersion[];
  error?: { reasonCode: number; message: string };
}

function run(
  chunks: readonly Buffer[],
  version: ProtocolVersion | undefined,
  maxPacketSize: number,
): Outcome {
  const decoder = new FrameDecoder({
    maxPacketSize,
    ...(version !== undefined ? { protocolVersion: version } : {}),
  });
  const outcome: Outcome = { packets: [], versions: [] };
  try {
    for (const chunk of chunks) {
      decoder.push(chunk, (p) => {
        outcome.packets.push(p);
        outcome.versions.push(decoder.protocolVersion ?? 4);
      });
    }
  } catch (err) {
    if (!(err instanceof ProtocolError)) {
      assert.fail(`a ${(err as Error)?.constructor?.name} escaped: ${(err as Error)?.stack ?? String(err)}`);
    }
    outcome.error = { reasonCode: err.reasonCode, message: err.message };
  }
  return outcome;
}

function dropZeroReason(p: Packet): Packet {
  if (p.type !== 'connack' && 'reasonCode' in p && p.reasonCode === 0 && p.properties === undefined) {
    const { reasonCode: _, ...rest } = p;
    return rest as Packet;
  }
  return p;
}

function check(prng: Prng, input: Buffer): void {
  const version = prng.pick([3, 4, 5, undefined] as const);
  const maxPacketSize = prng.bool(0.1) ? prng.int(2, 64) : 268_435_460;
  const whole = run([input], version, maxPacketSize);
  const split = run(prng.chunks(input, prng.pick([1, 3, 16])), version, maxPacketSize);
  assert.deepEqual(split, whole, `chunking changed the outcome for ${input.toString('hex')}`);
  whole.packets.forEach((p, i) => {
    const v = whole.versions[i] as ProtocolVersion;
    const bytes = encode(p, v);
    const back = decodePacket(bytes, p.type === 'connect' ? p.protocolVersion : v);
    assert.deepEqual(dropZeroReason(back), dropZeroReason(p), `re-encoding ${input.toString('hex')}`);
  });
}

describe('fuzz', () => {
  test(`${RANDOM_INPUTS} random byte strings`, () => {
    const prng = new Prng(1);
    for (let i = 0; i < RANDOM_INPUTS; i++) {
      const input = prng.bytes(prng.int(0, 48));
      // Most random first bytes are a valid type with valid flags: bias a third of them to go deeper.
      if (input.length > 0 && prng.bool(0.33))
        input[0] = prng.pick([0x10, 0x20, 0x30, 0x32, 0x40, 0x62, 0x82, 0x90, 0xa2, 0xb0, 0xe0, 0xf0]);
      if (input.length > 1 && prng.bool(0.5)) input[1] = prng.int(0, input.length - 2);
      check(prng, input);
    }
  });

  test(`${MUTATIONS} mutations of valid packets`, () => {
    const prng = new Prng(2);
    const seeds: Buffer[] = allValidFixtures.map((f) => Buffer.from(f.bytes, 'hex'));
    for (const version of [3, 4, 5] as const) {
      for (let i = 0; i < 150; i++) seeds.push(encode(randomPacket(prng, version), version));
    }
    for (let i = 0; i < MUTATIONS; i++) check(prng, mutate(prng, prng.pick(seeds)));
  });
});

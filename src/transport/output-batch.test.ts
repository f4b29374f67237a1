import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutputBatch } from './output-batch.js';
import { encodePublishFrame, stampPacketId } from '../protocol/publish-frame.js';

function drained(batch: OutputBatch): Buffer[] {
  const out: Buffer[] = [];
  batch.drain({ write: (bytes) => out.push(bytes) });
  return out;
}

function frameOf(payloadSize: number) {
  return encodePublishFrame(
    {
      type: 'publish',
      topic: 'a/b',
      payload: Buffer.alloc(payloadSize, 0x61),
      qos: 1,
      retain: false,
      dup: false,
      packetId: 1,
    },
    4,
  );
}

test('a single unpatched part is written as it is, without a copy', () => {
  const batch = new OutputBatch();
  const bytes = Buffer.from([1, 2, 3]);
  assert.equal(batch.push(bytes), 1);
  const out = drained(batch);
  assert.equal(out.length, 1);
  assert.equal(out[0], bytes);
  assert.equal(batch.length, 0);
  assert.ok(batch.empty);
});

test('small parts leave as one buffer, in order; length counts what waits', () => {
  const batch = new OutputBatch();
  batch.push(Buffer.from([1, 2]));
  batch.push(Buffer.from([3]));
  assert.equal(batch.push(Buffer.from([4, 5, 6])), 3);
  assert.equal(batch.length, 6);
  assert.deepEqual(drained(batch), [Buffer.from([1, 2, 3, 4, 5, 6])]);
  assert.deepEqual(drained(batch), []);
});

test('patched parts equal stampPacketId and leave the shared frame unchanged', () => {
  const frame = frameOf(20);
  const original = Buffer.from(frame.bytes);
  const batch = new OutputBatch();
  const stamp = (id: number, dup: boolean): void => {
    const first = dup ? (frame.bytes[0] as number) | 0x08 : (frame.bytes[0] as number) & ~0x08;
    batch.pushPatched(frame.bytes, first, frame.packetIdOffset, id);
  };
  stamp(1, false);
  stamp(0xabcd, true);
  stamp(65535, false);
  const expected = Buffer.concat([
    stampPacketId(frame, 1, false),
    stampPacketId(frame, 0xabcd, true),
    stampPacketId(frame, 65535, false),
  ]);
  assert.deepEqual(drained(batch), [expected]);
  assert.deepEqual(frame.bytes, original);
});

test('a large part goes out as a view between the coalesced small parts; a patched one copies only its head', () => {
  const large = Buffer.alloc(10000, 7);
  const frame = frameOf(10000);
  const batch = new OutputBatch();
  batch.push(Buffer.from([1]));
  batch.push(large);
  batch.push(Buffer.from([2]));
  batch.pushPatched(frame.bytes, frame.bytes[0] as number, frame.packetIdOffset, 42);
  batch.push(Buffer.from([3]));
  const out = drained(batch);
  const head = frame.packetIdOffset + 2;
  assert.equal(out.length, 5);
  assert.deepEqual(out[0], Buffer.from([1]));
  assert.equal(out[1], large);
  assert.deepEqual(
    out[2],
    Buffer.concat([Buffer.from([2]), stampPacketId(frame, 42, false).subarray(0, head)]),
  );
  assert.equal(out[3]?.buffer, frame.bytes.buffer, 'the tail is a view of the shared frame');
  assert.deepEqual(out[3], frame.bytes.subarray(head));
  assert.deepEqual(out[4], Buffer.from([3]));
  assert.deepEqual(Buffer.concat(out.slice(2, 4)).subarray(1), stampPacketId(frame, 42, false));
});

test('clear drops what was gathered', () => {
  const batch = new OutputBatch();
  batch.push(Buffer.from([1]));
  batch.clear();
  assert.equal(batch.length, 0);
  assert.deepEqual(drained(batch), []);
});

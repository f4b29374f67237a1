// Plain acknowledgements sent as a shared template patched in the connection's output batch: the bytes on the
// wire must equal what the encoder makes, for every ack type and protocol version, and the template must stay
// as it was.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodePacket, encode } from '../../src/protocol/index.js';
import type { Packet } from '../../src/protocol/index.js';
import {
  ACK_PACKET_ID_OFFSET,
  ACK_TEMPLATE,
  ackFirstByte,
  isPlainAck,
} from '../../src/protocol/ack-frame.js';
import { OutputBatch } from '../../src/transport/output-batch.js';

/** What a connection writes for these acks, gathered in one batch as during one read. */
function wire(packets: Packet[]): Buffer {
  const batch = new OutputBatch();
  for (const packet of packets) {
    assert.ok(isPlainAck(packet));
    batch.pushPatched(ACK_TEMPLATE, ackFirstByte(packet), ACK_PACKET_ID_OFFSET, packet.packetId);
  }
  const out: Buffer[] = [];
  batch.drain({ write: (bytes: Buffer) => out.push(Buffer.from(bytes)) });
  return Buffer.concat(out);
}

describe('plain ack template', () => {
  const types = ['puback', 'pubrec', 'pubrel', 'pubcomp'] as const;
  for (const version of [3, 4, 5] as const) {
    test(`version ${version}: patched template equals encode() for every ack type [MQTT-3.6.1-1]`, () => {
      const packets: Packet[] = types.flatMap((type) => [
        { type, packetId: 1 },
        { type, packetId: 0x1234 },
        { type, packetId: 65535 },
      ]);
      const expected = Buffer.concat(packets.map((packet) => encode(packet, version)));
      assert.deepEqual(wire(packets), expected);
      for (const packet of packets) {
        const decoded = decodePacket(encode(packet, version), version);
        assert.equal(decoded.type, packet.type);
      }
      assert.deepEqual([...ACK_TEMPLATE], [0x00, 0x02, 0x00, 0x00]);
    });
  }

  test('MQTT 5: reason code 0 is plain (Remaining Length 2 means Success, 3.4.2.1), others are not', () => {
    assert.ok(isPlainAck({ type: 'puback', packetId: 7, reasonCode: 0 }));
    assert.deepEqual(
      wire([{ type: 'pubrec', packetId: 7, reasonCode: 0 }]),
      encode({ type: 'pubrec', packetId: 7, reasonCode: 0 }, 5),
    );
    assert.equal(isPlainAck({ type: 'puback', packetId: 7, reasonCode: 0x10 }), false);
    assert.equal(isPlainAck({ type: 'pubrel', packetId: 7, reasonCode: 0x92 }), false);
    assert.equal(isPlainAck({ type: 'pubcomp', packetId: 7, properties: { reasonString: 'x' } }), false);
    assert.equal(isPlainAck({ type: 'pingresp' }), false);
  });
});

// MQTT 3.1.1 section 2.2 Fixed header, checked on the bytes the server writes. The frames are split here with a
// few lines of remaining-length arithmetic, not with src/protocol, so the codec does not vouch for itself.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import { frame, str, text as hexText, u16, u8 } from '../fixtures/hex.js';
import { uid } from './support.js';

/** A socket that hands out whole MQTT frames as raw bytes. */
class FrameSocket {
  readonly #socket: Socket;
  #buffer = Buffer.alloc(0);
  #wake: (() => void) | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake?.();
    });
  }

  static open(port: number): Promise<FrameSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1' }, () => resolve(new FrameSocket(socket)));
      socket.once('error', reject);
    });
  }

  write(hex: string): void {
    this.#socket.write(Buffer.from(hex, 'hex'));
  }

  /** The next whole frame, fixed header included. */
  async next(timeoutMs = 2000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const size = this.#frameSize();
      if (size > 0 && this.#buffer.length >= size) {
        const frameBytes = this.#buffer.subarray(0, size);
        this.#buffer = this.#buffer.subarray(size);
        return frameBytes;
      }
      if (Date.now() >= deadline) throw new Error('no complete frame in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Whole frame size once the remaining length is readable, else 0. */
  #frameSize(): number {
    let length = 0;
    for (let i = 1; i <= 4 && i < this.#buffer.length; i++) {
      const byte = this.#buffer[i] as number;
      length += (byte & 0x7f) * 128 ** (i - 1);
      if ((byte & 0x80) === 0) return 1 + i + length;
    }
    return 0;
  }

  destroy(): void {
    this.#socket.destroy();
  }
}

/** Table 2.2: the flags every server-sent packet type must carry (PUBLISH is checked field by field). */
const FLAGS: Record<number, [name: string, flags: number]> = {
  2: ['CONNACK', 0b0000],
  4: ['PUBACK', 0b0000],
  5: ['PUBREC', 0b0000],
  6: ['PUBREL', 0b0010],
  7: ['PUBCOMP', 0b0000],
  9: ['SUBACK', 0b0000],
  11: ['UNSUBACK', 0b0000],
  13: ['PINGRESP', 0b0000],
};

let broker: StartedBroker;

describe('2.2 fixed header', () => {
  before(async () => {
    broker = await startBroker();
  });
  after(() => broker.stop());

  test('[MQTT-2.2.2-1] every packet type the server sends carries the fixed-header flags of Table 2.2', async () => {
    const socket = await FrameSocket.open(broker.port);
    const seen = new Map<string, number>();
    /** Reads one frame, checks its flags, and returns its type name and bytes. */
    const read = async (): Promise<[string, Buffer]> => {
      const bytes = await socket.next();
      const type = (bytes[0] as number) >> 4;
      const flags = (bytes[0] as number) & 0x0f;
      if (type === 3) {
        seen.set(`PUBLISH QoS ${(flags >> 1) & 3}`, flags);
        return ['PUBLISH', bytes];
      }
      const expected = FLAGS[type];
      assert.ok(expected !== undefined, `unexpected packet type ${type}`);
      assert.equal(flags, expected[1], `${expected[0]} flags 0b${flags.toString(2).padStart(4, '0')}`);
      seen.set(expected[0], flags);
      return [expected[0], bytes];
    };
    const topic = uid('t');
    try {
      socket.write(frame(0x10, str('MQTT'), u8(4), u8(0x02), u16(60), str(uid())));
      assert.equal((await read())[0], 'CONNACK');
      socket.write(frame(0x82, u16(1), str(topic), u8(2)));
      assert.equal((await read())[0], 'SUBACK');

      // QoS 0 and QoS 1 to its own subscription: the deliveries, and the PUBACK.
      socket.write(frame(0x30, str(topic), hexText('zero')));
      const [, zero] = await read();
      assert.equal(
        (zero[0] as number) & 0x0f,
        0b0000,
        'QoS 0 PUBLISH: DUP 0, QoS 0, RETAIN 0 [MQTT-3.3.1-2]',
      );
      socket.write(frame(0x32, str(topic), u16(10), hexText('one')));
      const frames = [await read(), await read()];
      const delivered = frames.find(([name]) => name === 'PUBLISH')?.[1] as Buffer;
      assert.ok(frames.some(([name]) => name === 'PUBACK'));
      assert.equal((delivered[0] as number) & 0x0f, 0b0010, 'QoS 1 PUBLISH: DUP 0, QoS 1, RETAIN 0');
      socket.write(frame(0x40, delivered.subarray(4 + topic.length, 6 + topic.length).toString('hex')));

      // QoS 2 both ways: PUBREC and PUBCOMP for the inbound flow, PUBLISH and PUBREL for the outbound one.
      socket.write(frame(0x34, str(topic), u16(11), hexText('two')));
      const qos2 = [await read(), await read()];
      const outbound = qos2.find(([name]) => name === 'PUBLISH')?.[1] as Buffer;
      assert.ok(qos2.some(([name]) => name === 'PUBREC'));
      assert.equal((outbound[0] as number) & 0x0f, 0b0100, 'QoS 2 PUBLISH: DUP 0, QoS 2, RETAIN 0');
      socket.write(frame(0x62, u16(11)));
      assert.equal((await read())[0], 'PUBCOMP');
      const outboundId = outbound.subarray(4 + topic.length, 6 + topic.length).toString('hex');
      socket.write(frame(0x50, outboundId));
      assert.equal((await read())[0], 'PUBREL');
      socket.write(frame(0x70, outboundId));

      socket.write(frame(0xa2, u16(2), str(topic)));
      assert.equal((await read())[0], 'UNSUBACK');
      socket.write('c000');
      assert.equal((await read())[0], 'PINGRESP');
      assert.deepEqual([...seen.keys()].sort(), [
        'CONNACK',
        'PINGRESP',
        'PUBACK',
        'PUBCOMP',
        'PUBLISH QoS 0',
        'PUBLISH QoS 1',
        'PUBLISH QoS 2',
        'PUBREC',
        'PUBREL',
        'SUBACK',
        'UNSUBACK',
      ]);
    } finally {
      socket.destroy();
    }
  });

  test('[MQTT-2.2.2-1][MQTT-3.3.1-8] a retained message sent on subscription has RETAIN=1 on the wire; CONNACK is exactly 20 02 00 00', async () => {
    const socket = await FrameSocket.open(broker.port);
    const topic = uid('t');
    try {
      socket.write(frame(0x10, str('MQTT'), u8(4), u8(0x02), u16(60), str(uid())));
      assert.equal((await socket.next()).toString('hex'), '20020000');
      socket.write(frame(0x31, str(topic), hexText('kept')));
      socket.write(frame(0x82, u16(3), str(topic), u8(0)));
      assert.equal((await socket.next()).toString('hex'), frame(0x90, u16(3), u8(0)));
      assert.equal((await socket.next()).toString('hex'), frame(0x31, str(topic), hexText('kept')));
      socket.write(frame(0x31, str(topic), ''));
    } finally {
      socket.destroy();
    }
  });
});

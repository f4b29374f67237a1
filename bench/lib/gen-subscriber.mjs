// A generator subscriber: counts PUBLISH packets, acknowledges QoS 1 / 2 (all acks of one read in one write),
// and, for the latency scenario, reads the send time the publisher put in the payload.
import { performance } from 'node:perf_hooks';
import { PacketReader, PUBACK, PUBCOMP, PUBREC, publishPacketId, writeAck } from './mqtt-bytes.mjs';

const MAX_SAMPLES = 1 << 20;

export class Subscriber {
  received = 0;
  /** Called after each read with how many PUBLISH packets it held (the publisher's flow control). */
  onRead = undefined;
  #socket;
  /** Shared by the subscribers of one process: the publisher's window reads it. */
  #tally;
  #acks = Buffer.allocUnsafe(64 * 1024);
  #ackLength = 0;
  #recording = false;
  #latencyMode = false;
  #samples = undefined;
  #sampleCount = 0;
  /** When recording began, and when the slowest round trip arrived (performance.now() ms). */
  #recordingFrom = 0;
  #slowestAt = 0;
  #slowest = 0;

  constructor(socket, tally) {
    this.#socket = socket;
    this.#tally = tally;
    const reader = new PacketReader((type, flags, buf, start, end) =>
      this.#onPacket(type, flags, buf, start, end),
    );
    socket.on('data', (chunk) => {
      const before = this.received;
      reader.push(chunk);
      if (this.#ackLength > 0) {
        socket.write(Buffer.from(this.#acks.subarray(0, this.#ackLength)));
        this.#ackLength = 0;
      }
      if (this.onRead !== undefined) this.onRead(this.received - before);
    });
  }

  enableLatency() {
    this.#latencyMode = true;
    this.#samples = new Float64Array(MAX_SAMPLES);
  }

  startRecording() {
    this.#recording = true;
    this.#recordingFrom = performance.now();
  }

  #onPacket(type, flags, buf, start, end) {
    if (type === 3) {
      this.received++;
      this.#tally.received++;
      const qos = (flags >> 1) & 3;
      if (qos > 0) this.#ack(qos === 1 ? PUBACK : PUBREC, publishPacketId(buf, start));
      if (this.#latencyMode && this.#recording && this.#sampleCount < MAX_SAMPLES) {
        const payloadStart = start + 2 + buf.readUInt16BE(start) + (qos > 0 ? 2 : 0);
        if (end - payloadStart >= 8) {
          const now = performance.now();
          const sample = now - buf.readDoubleBE(payloadStart);
          this.#samples[this.#sampleCount++] = sample;
          if (sample > this.#slowest) {
            this.#slowest = sample;
            this.#slowestAt = now;
          }
        }
      }
    } else if (type === 6) {
      this.#ack(PUBCOMP, buf.readUInt16BE(start));
    }
  }

  #ack(firstByte, packetId) {
    if (this.#ackLength + 4 > this.#acks.length) {
      this.#socket.write(Buffer.from(this.#acks.subarray(0, this.#ackLength)));
      this.#ackLength = 0;
    }
    this.#ackLength = writeAck(this.#acks, this.#ackLength, firstByte, packetId);
  }

  /** Round-trip times in microseconds. */
  latencySummary() {
    const n = this.#sampleCount;
    if (n === 0) return { count: 0 };
    const sorted = this.#samples.subarray(0, n).sort();
    const at = (q) => sorted[Math.min(n - 1, Math.floor(q * n))] * 1000;
    // Where the worst stall sat and how many round trips it (or others) held up: a p99 made by one stall early
    // in the window reads differently from one made by steady jitter.
    let over10ms = 0;
    for (let i = n - 1; i >= 0 && sorted[i] > 10; i--) over10ms++;
    return {
      count: n,
      p50: at(0.5),
      p99: at(0.99),
      max: sorted[n - 1] * 1000,
      maxAtSeconds: (this.#slowestAt - this.#recordingFrom) / 1000,
      over10ms,
    };
  }
}

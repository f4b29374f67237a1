// Generator publishers: pre-encoded PUBLISH packets written in batches, bounded by a window so no broker has
// to buffer without limit. QoS 0: messages not yet seen by the probe subscriber; QoS 1 / 2: unacknowledged ids.
import { performance } from 'node:perf_hooks';
import { PacketReader, PUBREL, publishBatch, publishPacket, writeAck } from './mqtt-bytes.mjs';

/** About this many bytes per write: enough to amortise the syscall, small enough to interleave publishers. */
const WRITE_BYTES = 16 * 1024;

export class Publisher {
  sent = 0;
  /** How often the QoS 0 window had to be reopened because messages never arrived. */
  lostEvents = 0;
  #lost = 0;
  #completed = 0;
  #pubs;
  #window;
  #qos;
  #local;
  #copies;
  #running = false;
  #next = 0;
  #timer = undefined;

  /** `local`: this process's subscribers and their shared tally; the QoS 0 window follows what they got. */
  constructor(sockets, spec, local) {
    this.#qos = spec.qos;
    this.#window = spec.window;
    this.#local = local;
    this.#copies = spec.localCopies ?? 1;
    const payload = Buffer.alloc(spec.payloadSize, 0x61);
    this.#pubs = sockets.map((socket, i) => this.#makePub(socket, spec.publishers[i].topic, payload));
    if (this.#qos === 0 && spec.mode !== 'latency') {
      for (const sub of local.subscribers) sub.onRead = () => this.#pump();
    }
  }

  #makePub(socket, topic, payload) {
    const pub = { socket, blocked: false, topic, payload };
    socket.on('drain', () => {
      pub.blocked = false;
      this.#pump();
    });
    if (this.#qos === 0) {
      const frameLength = publishPacket(topic, payload, 0).bytes.length;
      const perWrite = Math.max(1, Math.min(this.#window, Math.floor(WRITE_BYTES / frameLength)));
      Object.assign(pub, publishBatch(topic, payload, perWrite), { perWrite });
      return pub;
    }
    // A ring of frames whose packet ids are already in place: slot i carries id i + 1.
    const ringSize = Math.min(32768, 2 ** Math.ceil(Math.log2(this.#window * 2)));
    const frames = Array.from(
      { length: ringSize },
      (_, i) => publishPacket(topic, payload, this.#qos, i + 1).bytes,
    );
    Object.assign(pub, { ring: Buffer.concat(frames), frameLength: frames[0].length, ringSize, slot: 0 });
    pub.inflight = new Uint8Array(ringSize);
    pub.outstanding = 0;
    const acks = Buffer.allocUnsafe(64 * 1024);
    const reader = new PacketReader((type, _flags, buf, start) => {
      const id = buf.readUInt16BE(start);
      if (type === 5) {
        pub.ackLength = writeAck(acks, pub.ackLength, PUBREL, id);
        return;
      }
      if ((type === 4 && this.#qos === 1) || (type === 7 && this.#qos === 2)) {
        if (pub.inflight[id - 1] === 1) {
          pub.inflight[id - 1] = 0;
          pub.outstanding--;
          this.#completed++;
        }
      }
    });
    socket.on('data', (chunk) => {
      pub.ackLength = 0;
      reader.push(chunk);
      if (pub.ackLength > 0) socket.write(Buffer.from(acks.subarray(0, pub.ackLength)));
      this.#pump();
    });
    return pub;
  }

  start() {
    this.#running = true;
    if (this.#qos === 0) {
      // A broker that drops QoS 0 messages would stall the window for good: after a second without progress
      // the missing messages count as lost and the window opens again.
      let last = -1;
      this.#timer = setInterval(() => {
        const seen = this.#local.tally.received;
        if (seen === last) {
          this.#lost = this.sent - Math.floor(seen / this.#copies);
          this.lostEvents++;
          this.#pump();
        }
        last = seen;
      }, 1000);
    }
    this.#pump();
  }

  stop() {
    this.#running = false;
    if (this.#timer !== undefined) clearInterval(this.#timer);
  }

  #pump() {
    if (!this.#running) return;
    const pubs = this.#pubs;
    let idle = 0;
    while (idle < pubs.length) {
      const pub = pubs[this.#next];
      this.#next = (this.#next + 1) % pubs.length;
      const wrote = this.#qos === 0 ? this.#writeQos0(pub) : this.#writeAcked(pub);
      idle = wrote ? 0 : idle + 1;
    }
  }

  #writeQos0(pub) {
    if (pub.blocked) return false;
    const room =
      this.#window - (this.sent - this.#lost - Math.floor(this.#local.tally.received / this.#copies));
    // Wait for a quarter of the window rather than trickle single messages.
    const n = Math.min(pub.perWrite, room);
    if (n <= 0 || (n < pub.perWrite && room < this.#window / 4)) return false;
    this.sent += n;
    pub.blocked = !pub.socket.write(
      n === pub.perWrite ? pub.bytes : pub.bytes.subarray(0, n * pub.frameLength),
    );
    return true;
  }

  #writeAcked(pub) {
    if (pub.blocked) return false;
    const perPub = Math.max(1, Math.floor(this.#window / this.#pubs.length));
    let n = 0;
    const start = pub.slot;
    while (pub.outstanding < perPub && pub.slot + n < pub.ringSize && pub.inflight[pub.slot + n] === 0) {
      pub.inflight[pub.slot + n] = 1;
      pub.outstanding++;
      n++;
    }
    if (n === 0) return false;
    pub.slot = (pub.slot + n) % pub.ringSize;
    this.sent += n;
    const bytes = pub.ring.subarray(start * pub.frameLength, (start + n) * pub.frameLength);
    pub.blocked = !pub.socket.write(bytes);
    return true;
  }

  /** Latency: `rate` messages per second, each stamped with its send time, sent once per millisecond tick. */
  startPaced(rate) {
    this.#running = true;
    const pub = this.#pubs[0];
    const template = publishPacket(pub.topic, pub.payload, 0).bytes;
    const payloadOffset = template.length - pub.payload.length;
    const started = performance.now();
    this.#timer = setInterval(() => {
      const due = Math.floor(((performance.now() - started) * rate) / 1000) - this.sent;
      if (due <= 0) return;
      const out = Buffer.allocUnsafe(template.length * due);
      for (let i = 0; i < due; i++) {
        template.copy(out, i * template.length);
        out.writeDoubleBE(performance.now(), i * template.length + payloadOffset);
      }
      this.sent += due;
      pub.socket.write(out);
    }, 1);
  }

  get completed() {
    return this.#completed;
  }
}

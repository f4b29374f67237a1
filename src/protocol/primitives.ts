// Data representations of MQTT (3.1.1 section 1.5, 5.0 section 1.5): bits, two and four byte integers,
// Variable Byte Integers, UTF-8 strings, binary data. Reader bounds every read by the packet's end and throws
// ProtocolError on any overrun, so no RangeError ever escapes a decode. Writer writes into a buffer that the
// encoder sized exactly beforehand; its writes are checked and throw RangeError on a value out of range.
import { isUtf8 } from 'node:buffer';
import { malformed } from './reason-codes.js';
import type { ProtocolVersion } from './types.js';

/** Largest value a Variable Byte Integer (and so the Remaining Length) can hold. */
export const MAX_VARINT = 268_435_455;
/** Largest UTF-8 string or binary data field: its length is a two byte integer. */
export const MAX_UINT16 = 65_535;

/** Bytes needed to encode `value` as a Variable Byte Integer. */
export function varintSize(value: number): number {
  if (value < 128) return 1;
  if (value < 16_384) return 2;
  if (value < 2_097_152) return 3;
  if (value <= MAX_VARINT) return 4;
  throw new RangeError(`variable byte integer out of range: ${value}`);
}

/** UTF-8 byte length of a string field, checked against the two byte length prefix. */
export function utf8Size(value: string): number {
  const n = Buffer.byteLength(value, 'utf8');
  if (n > MAX_UINT16) throw new RangeError(`string of ${n} bytes exceeds ${MAX_UINT16}`);
  return n;
}

function utf8Rule(version: ProtocolVersion, n: 1 | 2): string {
  return version === 5 ? `MQTT-1.5.4-${n}` : `MQTT-1.5.3-${n}`;
}

/**
 * Decodes bytes [start, end) as an MQTT UTF-8 string: well-formed, no surrogates [MQTT-1.5.3-1]
 * [MQTT-1.5.4-1], no U+0000 [MQTT-1.5.3-2] [MQTT-1.5.4-2]. A BOM (EF BB BF) is kept as U+FEFF [MQTT-1.5.3-3].
 */
export function decodeUtf8(buf: Buffer, start: number, end: number, version: ProtocolVersion): string {
  let ascii = true;
  for (let i = start; i < end; i++) {
    const b = buf[i] as number;
    // In well-formed UTF-8 a zero byte can only be U+0000 (its over-long forms are rejected by isUtf8).
    if (b === 0) throw malformed('UTF-8 string contains U+0000', utf8Rule(version, 2));
    if (b > 0x7f) ascii = false;
  }
  if (ascii) return buf.toString('latin1', start, end);
  if (!isUtf8(buf.subarray(start, end))) {
    throw malformed('ill-formed UTF-8 string (or a surrogate code point)', utf8Rule(version, 1));
  }
  return buf.toString('utf8', start, end);
}

/**
 * A cursor over one packet's bytes. `end` is the end of the current packet (or of the property block being
 * read); reading past it is a malformed packet. One Reader is reused for every packet a FrameDecoder decodes;
 * it also remembers the last PUBLISH topic so a repeated topic is not decoded again.
 */
export class Reader {
  buf: Buffer;
  pos: number;
  end: number;
  version: ProtocolVersion;
  #topicBytes: Buffer | undefined = undefined;
  #topic = '';

  constructor(buf: Buffer = Buffer.alloc(0), pos = 0, end = buf.length, version: ProtocolVersion = 4) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.version = version;
  }

  reset(buf: Buffer, pos: number, end: number, version: ProtocolVersion): void {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.version = version;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  #need(n: number, what: string): void {
    if (this.pos + n > this.end) throw malformed(`packet ends inside ${what}`);
  }

  u8(what = 'a byte'): number {
    this.#need(1, what);
    return this.buf[this.pos++] as number;
  }

  u16(what = 'a two byte integer'): number {
    this.#need(2, what);
    const v = ((this.buf[this.pos] as number) << 8) | (this.buf[this.pos + 1] as number);
    this.pos += 2;
    return v;
  }

  u32(what = 'a four byte integer'): number {
    this.#need(4, what);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A Variable Byte Integer: at most 4 bytes, shortest form only [MQTT-1.5.5-1]. */
  varint(what = 'a variable byte integer'): number {
    let value = 0;
    let multiplier = 1;
    for (let i = 0; i < 4; i++) {
      this.#need(1, what);
      const b = this.buf[this.pos++] as number;
      value += (b & 0x7f) * multiplier;
      if ((b & 0x80) === 0) {
        if (b === 0 && i > 0) throw malformed(`over-long ${what}`, 'MQTT-1.5.5-1');
        return value;
      }
      multiplier *= 128;
    }
    throw malformed(`${what} longer than 4 bytes`);
  }

  /** A UTF-8 Encoded String: two byte length, then the bytes. */
  utf8(what = 'a UTF-8 string'): string {
    const len = this.u16(what);
    this.#need(len, what);
    const start = this.pos;
    this.pos += len;
    return decodeUtf8(this.buf, start, start + len, this.version);
  }

  /**
   * The PUBLISH topic name. When its bytes equal the previous topic's, the previous string is reused: no
   * decode, no validation (those bytes were validated when first seen), no allocation.
   */
  topic(): string {
    const len = this.u16('the topic name');
    this.#need(len, 'the topic name');
    const buf = this.buf;
    const start = this.pos;
    this.pos += len;
    const cached = this.#topicBytes;
    if (cached !== undefined && cached.length === len) {
      // A byte loop beats Buffer.compare (a native call) for topic-sized strings.
      let i = 0;
      while (i < len && cached[i] === buf[start + i]) i++;
      if (i === len) return this.#topic;
    }
    const topic = decodeUtf8(buf, start, start + len, this.version);
    const copy = Buffer.allocUnsafe(len);
    buf.copy(copy, 0, start, start + len);
    this.#topicBytes = copy;
    this.#topic = topic;
    return topic;
  }

  /** Binary Data: two byte length, then the bytes, copied (the packet's buffer may be large). */
  binary(what = 'binary data'): Buffer {
    const len = this.u16(what);
    this.#need(len, what);
    const out = Buffer.from(this.buf.subarray(this.pos, this.pos + len));
    this.pos += len;
    return out;
  }

  /** Everything up to the end of the packet, as a view (no copy). */
  rest(): Buffer {
    const out = this.buf.subarray(this.pos, this.end);
    this.pos = this.end;
    return out;
  }

  /** Throws unless the whole packet was consumed: trailing bytes make a packet malformed. */
  done(packetName: string): void {
    if (this.pos !== this.end)
      throw malformed(`${this.end - this.pos} unexpected trailing byte(s) in ${packetName}`);
  }
}

/** Writes into a buffer already sized to the packet. */
export class Writer {
  readonly buf: Buffer;
  pos: number;

  constructor(buf: Buffer, pos = 0) {
    this.buf = buf;
    this.pos = pos;
  }

  u8(v: number): void {
    this.pos = this.buf.writeUInt8(v, this.pos);
  }

  u16(v: number): void {
    this.pos = this.buf.writeUInt16BE(v, this.pos);
  }

  u32(v: number): void {
    this.pos = this.buf.writeUInt32BE(v, this.pos);
  }

  varint(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > MAX_VARINT) {
      throw new RangeError(`variable byte integer out of range: ${v}`);
    }
    const buf = this.buf;
    do {
      let b = v % 128;
      v = Math.floor(v / 128);
      if (v > 0) b |= 0x80;
      buf[this.pos++] = b;
    } while (v > 0);
  }

  /** A UTF-8 string with its two byte length; the caller sized the buffer with utf8Size(). */
  utf8(s: string): void {
    const n = this.buf.write(s, this.pos + 2, 'utf8');
    if (n > MAX_UINT16) throw new RangeError(`string of ${n} bytes exceeds ${MAX_UINT16}`);
    this.buf.writeUInt16BE(n, this.pos);
    this.pos += 2 + n;
  }

  binary(b: Buffer): void {
    if (b.length > MAX_UINT16) throw new RangeError(`binary data of ${b.length} bytes exceeds ${MAX_UINT16}`);
    this.u16(b.length);
    this.bytes(b);
  }

  bytes(b: Buffer): void {
    this.pos += b.copy(this.buf, this.pos);
  }
}

/** Size of a binary data field, checked against its two byte length prefix. */
export function binarySize(b: Buffer): number {
  if (b.length > MAX_UINT16) throw new RangeError(`binary data of ${b.length} bytes exceeds ${MAX_UINT16}`);
  return 2 + b.length;
}

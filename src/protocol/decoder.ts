// Bytes → packets. FrameDecoder takes a TCP / WebSocket byte stream in chunks of any size, splits it into
// packets (remaining length, 3.1.1 section 2.2.3 / 5.0 section 2.1.4) and decodes each with packets/<type>.ts.
//
// - Packets inside one chunk are decoded in place: a PUBLISH payload is a view of the chunk (no copy).
// - Only a packet that spans chunks is copied, once, into a buffer of exactly its size; the parts are kept
//   until then, so memory stays bounded by maxPacketSize plus one chunk.
// - maxPacketSize is enforced as soon as the fixed header is known, before any of the body is buffered.
// - Every malformed input throws ProtocolError (anything else thrown while decoding is wrapped into one).
//   After a throw the decoder drops what it buffered: the connection is expected to close.
import { ProtocolError, ReasonCode, malformed } from './reason-codes.js';
import { MAX_VARINT, Reader } from './primitives.js';
import type { Packet, ProtocolVersion } from './types.js';
import { decodeAuth } from './packets/auth.js';
import { decodeConnack } from './packets/connack.js';
import { decodeConnect } from './packets/connect.js';
import { decodeDisconnect } from './packets/disconnect.js';
import { decodePingreq } from './packets/pingreq.js';
import { decodePingresp } from './packets/pingresp.js';
import { decodePuback } from './packets/puback.js';
import { decodePubcomp } from './packets/pubcomp.js';
import { decodePublish } from './packets/publish.js';
import { decodePubrec } from './packets/pubrec.js';
import { decodePubrel } from './packets/pubrel.js';
import { decodeSuback } from './packets/suback.js';
import { decodeSubscribe } from './packets/subscribe.js';
import { decodeUnsuback } from './packets/unsuback.js';
import { decodeUnsubscribe } from './packets/unsubscribe.js';

/** The largest packet MQTT can express: 1 type byte, 4 length bytes, 268,435,455 body bytes. */
export const MAX_PACKET_SIZE = MAX_VARINT + 5;

/** A tail shorter than this is copied out of its chunk instead of keeping the whole chunk alive. */
const COPY_TAIL_BELOW = 4096;

export interface FrameDecoderOptions {
  /** Largest whole packet accepted, in bytes (fixed header included). Default MAX_PACKET_SIZE. */
  maxPacketSize?: number;
  /** The version to decode with; a server learns it from CONNECT when not given. */
  protocolVersion?: ProtocolVersion;
  /** 'server' (default) sets protocolVersion from the first CONNECT decoded. */
  role?: 'server' | 'client';
}

/**
 * Reads a fixed header at buf[offset]. Returns -1 when the header is not complete yet, else
 * remainingLength * 8 + headerLength (header length is 2..5): two numbers without an allocation.
 */
function readFixedHeader(buf: Buffer, offset: number, end: number): number {
  let remaining = 0;
  let multiplier = 1;
  for (let i = 1; i <= 4; i++) {
    if (offset + i >= end) return -1;
    const b = buf[offset + i] as number;
    remaining += (b & 0x7f) * multiplier;
    if ((b & 0x80) === 0) {
      // [MQTT-1.5.5-1] the shortest encoding only.
      if (b === 0 && i > 1) throw malformed('over-long remaining length', 'MQTT-1.5.5-1');
      return remaining * 8 + i + 1;
    }
    multiplier *= 128;
  }
  throw malformed('remaining length longer than 4 bytes');
}

/** Decodes the body of one packet; `r` spans the variable header and payload. */
function decodeBody(r: Reader, type: number, flags: number): Packet {
  switch (type) {
    case 3:
      return decodePublish(r, flags);
    case 4:
      return decodePuback(r, flags);
    case 1:
      return decodeConnect(r, flags);
    case 2:
      return decodeConnack(r, flags);
    case 5:
      return decodePubrec(r, flags);
    case 6:
      return decodePubrel(r, flags);
    case 7:
      return decodePubcomp(r, flags);
    case 8:
      return decodeSubscribe(r, flags);
    case 9:
      return decodeSuback(r, flags);
    case 10:
      return decodeUnsubscribe(r, flags);
    case 11:
      return decodeUnsuback(r, flags);
    case 12:
      return decodePingreq(r, flags);
    case 13:
      return decodePingresp(r, flags);
    case 14:
      return decodeDisconnect(r, flags);
    case 15:
      // Packet type 15 is Reserved in 3.1 / 3.1.1 (section 2.2.1) and AUTH in 5.0.
      if (r.version === 5) return decodeAuth(r, flags);
      throw malformed('packet type 15 is reserved before MQTT 5.0');
    default:
      throw malformed('packet type 0 is reserved');
  }
}

function asProtocolError(err: unknown): ProtocolError {
  if (err instanceof ProtocolError) return err;
  return malformed(`undecodable packet: ${err instanceof Error ? err.message : String(err)}`);
}

function tooLarge(size: number, max: number): ProtocolError {
  return new ProtocolError(
    ReasonCode.PacketTooLarge,
    `packet of ${size} bytes exceeds the maximum packet size of ${max}`,
  );
}

export class FrameDecoder {
  /** The version packets are decoded with; 4 is used while undefined. Callers may set it. */
  protocolVersion: ProtocolVersion | undefined;
  readonly maxPacketSize: number;
  readonly #learnsVersion: boolean;
  readonly #reader = new Reader();
  /** Chunks (or the tail of one) holding the start of a packet not yet complete. */
  #parts: Buffer[] = [];
  #partsLength = 0;
  /** Whole size of the pending packet, or -1 while its fixed header is incomplete. */
  #needed = -1;

  constructor(options: FrameDecoderOptions = {}) {
    this.maxPacketSize = Math.min(options.maxPacketSize ?? MAX_PACKET_SIZE, MAX_PACKET_SIZE);
    this.protocolVersion = options.protocolVersion;
    this.#learnsVersion = (options.role ?? 'server') === 'server';
  }

  /** Bytes held for a packet not yet complete. */
  get buffered(): number {
    return this.#partsLength;
  }

  /**
   * Decodes every complete packet in `chunk` (after any buffered tail), calling onPacket for each in order,
   * and keeps the incomplete rest. Throws ProtocolError on malformed input. An exception thrown by onPacket
   * propagates unchanged and the rest of the chunk is dropped.
   */
  push(chunk: Buffer, onPacket: (packet: Packet) => void): void {
    let offset = 0;
    try {
      if (this.#partsLength > 0) {
        offset = this.#completePending(chunk, onPacket);
        if (offset < 0) return;
      }
      this.#consume(chunk, offset, onPacket);
    } catch (err) {
      this.#clear();
      throw err;
    }
  }

  #clear(): void {
    this.#parts = [];
    this.#partsLength = 0;
    this.#needed = -1;
  }

  #consume(buf: Buffer, offset: number, onPacket: (packet: Packet) => void): void {
    const end = buf.length;
    while (offset < end) {
      const header = readFixedHeader(buf, offset, end);
      if (header < 0) {
        this.#keepTail(buf, offset, -1);
        return;
      }
      const headerLength = header & 7;
      const size = headerLength + (header - headerLength) / 8;
      if (size > this.maxPacketSize) throw tooLarge(size, this.maxPacketSize);
      if (offset + size > end) {
        this.#keepTail(buf, offset, size);
        return;
      }
      const packet = this.#decode(buf, offset, headerLength, size);
      offset += size;
      onPacket(packet);
    }
  }

  #keepTail(buf: Buffer, offset: number, needed: number): void {
    const tail =
      buf.length - offset < COPY_TAIL_BELOW ? Buffer.from(buf.subarray(offset)) : buf.subarray(offset);
    this.#parts.push(tail);
    this.#partsLength = tail.length;
    this.#needed = needed;
  }

  /**
   * Adds `chunk` to the pending packet. Returns -1 if the packet is still incomplete, else decodes it and
   * returns where the rest of `chunk` begins.
   */
  #completePending(chunk: Buffer, onPacket: (packet: Packet) => void): number {
    this.#parts.push(chunk);
    this.#partsLength += chunk.length;
    if (this.#needed < 0) {
      // The fixed header is at most 5 bytes: gather them from the parts.
      const head = Buffer.concat(this.#parts, Math.min(5, this.#partsLength));
      const header = readFixedHeader(head, 0, head.length);
      if (header < 0) return -1;
      const headerLength = header & 7;
      const size = headerLength + (header - headerLength) / 8;
      if (size > this.maxPacketSize) throw tooLarge(size, this.maxPacketSize);
      this.#needed = size;
    }
    const needed = this.#needed;
    if (this.#partsLength < needed) return -1;
    const packetBytes = Buffer.allocUnsafe(needed);
    let filled = 0;
    for (const part of this.#parts) {
      filled += part.copy(packetBytes, filled, 0, Math.min(part.length, needed - filled));
      if (filled === needed) break;
    }
    // Every earlier part was short of the packet, so what is left over is the end of this chunk.
    const rest = this.#partsLength - needed;
    this.#clear();
    const header = readFixedHeader(packetBytes, 0, needed);
    const packet = this.#decode(packetBytes, 0, header & 7, needed);
    onPacket(packet);
    return chunk.length - rest;
  }

  #decode(buf: Buffer, offset: number, headerLength: number, size: number): Packet {
    const b0 = buf[offset] as number;
    const r = this.#reader;
    r.reset(buf, offset + headerLength, offset + size, this.protocolVersion ?? 4);
    let packet: Packet;
    try {
      packet = decodeBody(r, b0 >> 4, b0 & 0x0f);
    } catch (err) {
      throw asProtocolError(err);
    }
    if (packet.type === 'connect' && this.#learnsVersion && this.protocolVersion === undefined) {
      this.protocolVersion = packet.protocolVersion;
    }
    return packet;
  }
}

/**
 * Decodes `bytes` as exactly one complete packet (tests, tools). Throws ProtocolError when the bytes are
 * malformed, incomplete, or longer than the packet.
 */
export function decodePacket(bytes: Buffer, version: ProtocolVersion): Packet {
  try {
    const header = readFixedHeader(bytes, 0, bytes.length);
    if (header < 0) throw malformed('incomplete fixed header');
    const headerLength = header & 7;
    const size = headerLength + (header - headerLength) / 8;
    if (size !== bytes.length) {
      throw malformed(`remaining length says ${size} bytes but ${bytes.length} were given`);
    }
    const b0 = bytes[0] as number;
    return decodeBody(new Reader(bytes, headerLength, size, version), b0 >> 4, b0 & 0x0f);
  } catch (err) {
    throw asProtocolError(err);
  }
}

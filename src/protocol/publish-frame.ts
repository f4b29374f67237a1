// Encode a PUBLISH once, send the same bytes to every subscriber: QoS 0 subscribers get the frame itself;
// QoS 1 / 2 subscribers get the same bytes with their own packet identifier and DUP bit patched in (as they are
// copied into the connection's output, or into a copy of their own).
import { Writer, varintSize } from './primitives.js';
import type { ProtocolVersion, PublishPacket } from './types.js';
import { publishFlags, publishLength, writePublish } from './packets/publish.js';

export interface PublishFrame {
  /** The whole packet, or everything before the payload when `payload` is set. */
  readonly bytes: Buffer;
  /** Offset of the two byte packet identifier in `bytes`; -1 when qos is 0. */
  readonly packetIdOffset: number;
  /** A payload shared rather than copied: the packet is `bytes` followed by these bytes. */
  readonly payload?: Buffer;
}

/**
 * Encodes `packet` with packet identifier 0 as a placeholder (packet.packetId is ignored). A payload of
 * `sharePayloadFrom` bytes or more is not copied: the frame holds the bytes before it and the payload itself.
 */
export function encodePublishFrame(
  packet: PublishPacket,
  version: ProtocolVersion,
  sharePayloadFrom = Infinity,
): PublishFrame {
  const n = publishLength(packet, version);
  const headerLength = 1 + varintSize(n);
  const shared = packet.payload.length >= sharePayloadFrom;
  const bytes = Buffer.allocUnsafe(headerLength + n - (shared ? packet.payload.length : 0));
  const w = new Writer(bytes);
  w.u8(0x30 | publishFlags(packet));
  w.varint(n);
  writePublish(w, packet, version, 0, !shared);
  // The packet identifier follows the topic name (two byte length + bytes).
  const packetIdOffset = packet.qos > 0 ? headerLength + 2 + bytes.readUInt16BE(headerLength) : -1;
  return shared ? { bytes, packetIdOffset, payload: packet.payload } : { bytes, packetIdOffset };
}

/**
 * The whole packet with `packetId` and the DUP flag [MQTT-3.3.1-1] [MQTT-3.3.1-3] patched into a copy.
 * A QoS 0 frame has neither and its bytes are returned as they are (DUP is 0 for QoS 0 [MQTT-3.3.1-2]).
 */
export function stampPacketId(frame: PublishFrame, packetId: number, dup: boolean): Buffer {
  if (frame.packetIdOffset < 0)
    return frame.payload === undefined ? frame.bytes : Buffer.concat([frame.bytes, frame.payload]);
  checkedPacketId(packetId);
  const out = Buffer.allocUnsafe(frame.bytes.length + (frame.payload?.length ?? 0));
  frame.bytes.copy(out, 0);
  frame.payload?.copy(out, frame.bytes.length);
  out[0] = stampedFirstByte(frame, dup);
  out[frame.packetIdOffset] = packetId >> 8;
  out[frame.packetIdOffset + 1] = packetId & 0xff;
  return out;
}

/** The frame's first byte with the DUP flag set or cleared, for a QoS 1 / 2 delivery [MQTT-3.3.1-1]. */
export function stampedFirstByte(frame: PublishFrame, dup: boolean): number {
  const first = frame.bytes[0] as number;
  return dup ? first | 0x08 : first & ~0x08;
}

/** `packetId` when it can identify a packet (1..65535), else a RangeError. */
export function checkedPacketId(packetId: number): number {
  if (!Number.isInteger(packetId) || packetId < 1 || packetId > 0xffff) {
    throw new RangeError(`packet identifier must be in 1..65535, got ${packetId}`);
  }
  return packetId;
}

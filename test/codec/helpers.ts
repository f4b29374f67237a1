// Helpers shared by the codec tests.
import assert from 'node:assert/strict';
import { FrameDecoder, ProtocolError } from '../../src/protocol/index.js';
import type { Packet, ProtocolVersion } from '../../src/protocol/index.js';

export const fromHex = (h: string): Buffer => Buffer.from(h, 'hex');

/** Runs `fn` and asserts that it throws a ProtocolError with this reason code (and rule, when given). */
export function assertProtocolError(fn: () => unknown, reasonCode: number, rule?: string): ProtocolError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ProtocolError, `expected a ProtocolError, got ${String(caught)}`);
  assert.equal(
    caught.reasonCode,
    reasonCode,
    `reason code 0x${caught.reasonCode.toString(16)} (${caught.message}), expected 0x${reasonCode.toString(16)}`,
  );
  if (rule !== undefined) assert.equal(caught.rule, rule, caught.message);
  return caught;
}

/** Feeds `chunks` to a fresh decoder and returns every packet it produced. */
export function decodeChunks(
  chunks: readonly Buffer[],
  version?: ProtocolVersion,
  maxPacketSize?: number,
): Packet[] {
  const decoder = new FrameDecoder({
    ...(version !== undefined ? { protocolVersion: version } : {}),
    ...(maxPacketSize !== undefined ? { maxPacketSize } : {}),
  });
  const out: Packet[] = [];
  for (const chunk of chunks) decoder.push(chunk, (p) => out.push(p));
  return out;
}

// The codec's public surface: packet model, reason codes and ProtocolError, stream decoder, encoder, and the
// encode-once publish frame.
export type * from './types.js';
export { PACKET_TYPE_CODES } from './types.js';
export {
  ConnackReturnCode,
  ProtocolError,
  ReasonCode,
  connackReturnCodeFor,
  malformed,
  protocolError,
} from './reason-codes.js';
export { FrameDecoder, MAX_PACKET_SIZE, decodePacket } from './decoder.js';
export type { FrameDecoderOptions } from './decoder.js';
export { encode, packetSize } from './encoder.js';
export { encodePublishFrame, stampPacketId } from './publish-frame.js';
export type { PublishFrame } from './publish-frame.js';

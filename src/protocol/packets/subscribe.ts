// SUBSCRIBE (3.1.1 section 3.8, 5.0 section 3.8).
import { malformed, protocolError } from '../reason-codes.js';
import { utf8Size } from '../primitives.js';
import type { Reader, Writer } from '../primitives.js';
import { propertiesSize, readProperties, writeProperties } from '../properties.js';
import type { ProtocolVersion, QoS, RetainHandling, SubscribePacket, Subscription } from '../types.js';
import { checkFlagsFrom311, checkPacketId, readNonZeroPacketId } from './common.js';

const CODE = 8;

function readOptions(r: Reader, topicFilter: string): Subscription {
  const options = r.u8('the subscription options');
  const qos = options & 0x03;
  if (r.version !== 5) {
    // [MQTT-3.8.3-4] (printed "MQTT-3-8.3-4") reserved bits 7-2 are 0 and QoS is 0, 1 or 2.
    if ((options & 0xfc) !== 0) throw malformed('SUBSCRIBE reserved option bits are set', 'MQTT-3.8.3-4');
    if (qos === 3) throw malformed('SUBSCRIBE requests QoS 3', 'MQTT-3.8.3-4');
    return { topicFilter, qos: qos as QoS };
  }
  // [MQTT-3.8.3-5] reserved bits 7-6 are 0.
  if ((options & 0xc0) !== 0) throw malformed('SUBSCRIBE reserved option bits are set', 'MQTT-3.8.3-5');
  // 3.8.3.1: "It is a Protocol Error if the Maximum QoS field has the value 3." (no numbered rule)
  if (qos === 3) throw protocolError('SUBSCRIBE requests QoS 3 (section 3.8.3.1)');
  const retainHandling = (options >> 4) & 0x03;
  // 3.8.3.1: "It is a Protocol Error to send a Retain Handling value of 3." (no numbered rule)
  if (retainHandling === 3) throw protocolError('SUBSCRIBE with Retain Handling 3 (section 3.8.3.1)');
  return {
    topicFilter,
    qos: qos as QoS,
    noLocal: (options & 0x04) !== 0,
    retainAsPublished: (options & 0x08) !== 0,
    retainHandling: retainHandling as RetainHandling,
  };
}

export function decodeSubscribe(r: Reader, flags: number): SubscribePacket {
  // [MQTT-3.8.1-1] SUBSCRIBE flags are 0010.
  checkFlagsFrom311(flags, 0b0010, r.version, 'SUBSCRIBE', 'MQTT-3.8.1-1');
  const packetId = readNonZeroPacketId(r, 'SUBSCRIBE');
  const properties = r.version === 5 ? readProperties(r, CODE) : undefined;
  const subscriptions: Subscription[] = [];
  while (r.remaining > 0) {
    const topicFilter = r.utf8('a topic filter');
    subscriptions.push(readOptions(r, topicFilter));
  }
  // [MQTT-3.8.3-3] (5.0 [MQTT-3.8.3-2]) at least one topic filter. MQTT 3.1 had no such rule and mosquitto
  // answers an empty 3.1 SUBSCRIBE with an empty SUBACK.
  if (subscriptions.length === 0 && r.version !== 3) {
    throw protocolError(
      'SUBSCRIBE without any topic filter',
      r.version === 5 ? 'MQTT-3.8.3-2' : 'MQTT-3.8.3-3',
    );
  }
  const packet: SubscribePacket = { type: 'subscribe', packetId, subscriptions };
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

export function subscribeLength(p: SubscribePacket, version: ProtocolVersion): number {
  if (p.subscriptions.length === 0 && version !== 3) {
    throw new RangeError('SUBSCRIBE needs at least one topic filter');
  }
  let n = 2 + (version === 5 ? propertiesSize(p.properties, CODE) : 0);
  for (const s of p.subscriptions) n += 3 + utf8Size(s.topicFilter);
  return n;
}

export function writeSubscribe(w: Writer, p: SubscribePacket, version: ProtocolVersion): void {
  w.u16(checkPacketId(p.packetId, 'SUBSCRIBE'));
  if (version === 5) writeProperties(w, p.properties, CODE);
  for (const s of p.subscriptions) {
    if (s.qos > 2) throw new RangeError('subscription QoS must be 0, 1 or 2');
    w.utf8(s.topicFilter);
    let options = s.qos;
    if (version === 5) {
      const rh = s.retainHandling ?? 0;
      if (rh > 2) throw new RangeError('Retain Handling must be 0, 1 or 2');
      options |= (s.noLocal ? 0x04 : 0) | (s.retainAsPublished ? 0x08 : 0) | (rh << 4);
    }
    w.u8(options);
  }
}

// CONNECT (3.1.1 section 3.1, 5.0 section 3.1), levels 3 ("MQIsdp"), 4 and 5 ("MQTT").
// The body is decoded with the level the packet itself announces, whatever the decoder's current version.
import { ProtocolError, ReasonCode, malformed } from '../reason-codes.js';
import { binarySize, utf8Size } from '../primitives.js';
import type { Reader, Writer } from '../primitives.js';
import { WILL, propertiesSize, readProperties, writeProperties } from '../properties.js';
import type { ConnectPacket, ProtocolVersion, QoS, Will } from '../types.js';
import { checkFlagsFrom311 } from './common.js';

const CODE = 1;

/**
 * Throws ProtocolError(0x84 UnsupportedProtocolVersion, rule MQTT-3.1.2-2) for a level other than 3, 4, 5 or
 * a level that does not go with the name (MQIsdp is level 3 only, MQTT is 4 or 5): the broker answers
 * CONNACK 0x01 (3.1.1) or 0x84 (5.0) and closes [MQTT-3.1.2-2]. An unknown protocol name throws
 * MalformedPacket with rule MQTT-3.1.2-1: the broker closes without any CONNACK [MQTT-3.1.4-1].
 */
function readProtocol(r: Reader): ProtocolVersion {
  const name = r.utf8('the protocol name');
  const level = r.u8('the protocol level');
  if (name !== 'MQTT' && name !== 'MQIsdp') {
    throw malformed(`unknown protocol name ${JSON.stringify(name)}`, 'MQTT-3.1.2-1');
  }
  if ((name === 'MQIsdp' && level === 3) || (name === 'MQTT' && (level === 4 || level === 5))) return level;
  throw new ProtocolError(
    ReasonCode.UnsupportedProtocolVersion,
    `unsupported protocol level ${level} for protocol name ${name}`,
    'MQTT-3.1.2-2',
  );
}

export function decodeConnect(r: Reader, flags: number): ConnectPacket {
  // The protocol name is read under the strict rules; the level then decides every later rule id.
  const level = readProtocol(r);
  r.version = level;
  const v5 = level === 5;
  // MQTT 3.1 leniencies below match mosquitto's handle_connect.c for `mosq_p_mqtt31`: fixed-header flags,
  // the reserved connect flag and Will QoS / Retain without a will are not checked, and a User Name or
  // Password flag whose field is missing at the end of the packet is ignored.
  const v31 = level === 3;
  checkFlagsFrom311(flags, 0, level, 'CONNECT');
  const connectFlags = r.u8('the connect flags');
  // [MQTT-3.1.2-3] the reserved flag must be zero.
  if ((connectFlags & 0x01) !== 0 && !v31) {
    throw malformed('CONNECT reserved flag (bit 0) is set', 'MQTT-3.1.2-3');
  }
  const clean = (connectFlags & 0x02) !== 0;
  const willFlag = (connectFlags & 0x04) !== 0;
  const willQoS = (connectFlags >> 3) & 0x03;
  const willRetain = (connectFlags & 0x20) !== 0;
  const passwordFlag = (connectFlags & 0x40) !== 0;
  const usernameFlag = (connectFlags & 0x80) !== 0;
  if (willFlag) {
    // [MQTT-3.1.2-14] (5.0 [MQTT-3.1.2-12]) Will QoS 3 is not allowed.
    if (willQoS === 3) throw malformed('Will QoS 3', v5 ? 'MQTT-3.1.2-12' : 'MQTT-3.1.2-14');
  } else if (!v31) {
    // [MQTT-3.1.2-13] (5.0 [MQTT-3.1.2-11]) no will: Will QoS 0; [MQTT-3.1.2-15] (5.0 [MQTT-3.1.2-13]) Will Retain 0.
    if (willQoS !== 0)
      throw malformed('Will QoS set without the Will Flag', v5 ? 'MQTT-3.1.2-11' : 'MQTT-3.1.2-13');
    if (willRetain)
      throw malformed('Will Retain set without the Will Flag', v5 ? 'MQTT-3.1.2-13' : 'MQTT-3.1.2-15');
  }
  // [MQTT-3.1.2-22] 3.1.1 forbids a password without a user name; 5.0 allows it (3.1.2.9).
  if (passwordFlag && !usernameFlag && !v5) {
    throw malformed('Password Flag set without the User Name Flag', 'MQTT-3.1.2-22');
  }
  const keepalive = r.u16('the keep alive');
  const properties = v5 ? readProperties(r, CODE) : undefined;
  // [MQTT-3.1.3-3] the client identifier comes first.
  const clientId = r.utf8('the client identifier');
  let will: Will | undefined;
  if (willFlag) {
    const willProperties = v5 ? readProperties(r, WILL) : undefined;
    const topic = r.utf8('the will topic');
    const payload = r.binary('the will payload');
    will = { topic, payload, qos: willQoS as QoS, retain: willRetain };
    if (willProperties !== undefined) will.properties = willProperties;
  }
  const username = usernameFlag && !(v31 && r.remaining === 0) ? r.utf8('the user name') : undefined;
  const password = passwordFlag && !(v31 && r.remaining === 0) ? r.binary('the password') : undefined;
  r.done('CONNECT');
  const packet: ConnectPacket = {
    type: 'connect',
    protocolName: level === 3 ? 'MQIsdp' : 'MQTT',
    protocolVersion: level,
    clean,
    keepalive,
    clientId,
  };
  if (username !== undefined) packet.username = username;
  if (password !== undefined) packet.password = password;
  if (will !== undefined) packet.will = will;
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

/** CONNECT is encoded at its own protocolVersion; the encoder's version argument is ignored. */
export function connectLength(p: ConnectPacket): number {
  const v5 = p.protocolVersion === 5;
  let n = 2 + utf8Size(p.protocolName) + 1 + 1 + 2;
  if (v5) n += propertiesSize(p.properties, CODE);
  n += 2 + utf8Size(p.clientId);
  if (p.will !== undefined) {
    if (v5) n += propertiesSize(p.will.properties, WILL);
    n += 2 + utf8Size(p.will.topic) + binarySize(p.will.payload);
  }
  if (p.username !== undefined) n += 2 + utf8Size(p.username);
  if (p.password !== undefined) n += binarySize(p.password);
  return n;
}

export function writeConnect(w: Writer, p: ConnectPacket): void {
  const v5 = p.protocolVersion === 5;
  if (p.password !== undefined && p.username === undefined && !v5) {
    throw new RangeError('a 3.1.1 CONNECT cannot carry a password without a user name [MQTT-3.1.2-22]');
  }
  w.utf8(p.protocolName);
  w.u8(p.protocolVersion);
  let flags = p.clean ? 0x02 : 0;
  if (p.will !== undefined) {
    if (p.will.qos > 2) throw new RangeError('Will QoS must be 0, 1 or 2');
    flags |= 0x04 | (p.will.qos << 3) | (p.will.retain ? 0x20 : 0);
  }
  if (p.password !== undefined) flags |= 0x40;
  if (p.username !== undefined) flags |= 0x80;
  w.u8(flags);
  w.u16(p.keepalive);
  if (v5) writeProperties(w, p.properties, CODE);
  w.utf8(p.clientId);
  if (p.will !== undefined) {
    if (v5) writeProperties(w, p.will.properties, WILL);
    w.utf8(p.will.topic);
    w.binary(p.will.payload);
  }
  if (p.username !== undefined) w.utf8(p.username);
  if (p.password !== undefined) w.binary(p.password);
}

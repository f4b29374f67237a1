// MQTT 5.0 properties (section 2.2.2): one table of identifier, name, data type and the packets each may
// appear in. Reading rejects an unknown identifier or one not allowed in the packet (Malformed Packet, 2.2.2.2)
// and a second copy of a single-valued property (Protocol Error). Writing follows the table's order, so the
// encoding of a given Properties object is canonical.
import { malformed, protocolError } from './reason-codes.js';
import { MAX_VARINT, binarySize, utf8Size, varintSize } from './primitives.js';
import type { Reader, Writer } from './primitives.js';
import type { Properties, UserProperty } from './types.js';

/** Where properties sit: a packet type code (1..15) or WILL for the Will Properties of CONNECT. */
export const WILL = 0;

const enum DataType {
  Byte,
  U16,
  U32,
  VarInt,
  Utf8,
  Binary,
  Pair,
}

interface PropertyDef {
  readonly id: number;
  readonly name: keyof Properties;
  readonly type: DataType;
  /** Bit (1 << packet type code) for each packet allowed; bit 0 is the Will Properties. */
  readonly allowed: number;
  /** A value the spec calls a Protocol Error, or undefined if any value of the type is fine. */
  readonly check?: (v: number) => string | undefined;
}

const CONNECT = 1 << 1;
const CONNACK = 1 << 2;
const PUBLISH = 1 << 3;
const PUBACK = 1 << 4;
const PUBREC = 1 << 5;
const PUBREL = 1 << 6;
const PUBCOMP = 1 << 7;
const SUBSCRIBE = 1 << 8;
const SUBACK = 1 << 9;
const UNSUBSCRIBE = 1 << 10;
const UNSUBACK = 1 << 11;
const DISCONNECT = 1 << 14;
const AUTH = 1 << 15;
const WILL_BIT = 1 << WILL;

const zeroOrOne = (v: number): string | undefined => (v > 1 ? 'must be 0 or 1' : undefined);
const nonZero = (v: number): string | undefined => (v === 0 ? 'must not be 0' : undefined);

/** Section 2.2.2.2, Table 2-4, in identifier order (which is also the order they are written in). */
export const PROPERTY_DEFS: readonly PropertyDef[] = [
  { id: 0x01, name: 'payloadFormatIndicator', type: DataType.Byte, allowed: PUBLISH | WILL_BIT },
  { id: 0x02, name: 'messageExpiryInterval', type: DataType.U32, allowed: PUBLISH | WILL_BIT },
  { id: 0x03, name: 'contentType', type: DataType.Utf8, allowed: PUBLISH | WILL_BIT },
  { id: 0x08, name: 'responseTopic', type: DataType.Utf8, allowed: PUBLISH | WILL_BIT },
  { id: 0x09, name: 'correlationData', type: DataType.Binary, allowed: PUBLISH | WILL_BIT },
  // 3.8.2.1.2: "It is a Protocol Error if the Subscription Identifier has a value of 0."
  {
    id: 0x0b,
    name: 'subscriptionIdentifiers',
    type: DataType.VarInt,
    allowed: PUBLISH | SUBSCRIBE,
    check: nonZero,
  },
  { id: 0x11, name: 'sessionExpiryInterval', type: DataType.U32, allowed: CONNECT | CONNACK | DISCONNECT },
  { id: 0x12, name: 'assignedClientIdentifier', type: DataType.Utf8, allowed: CONNACK },
  { id: 0x13, name: 'serverKeepAlive', type: DataType.U16, allowed: CONNACK },
  { id: 0x15, name: 'authenticationMethod', type: DataType.Utf8, allowed: CONNECT | CONNACK | AUTH },
  { id: 0x16, name: 'authenticationData', type: DataType.Binary, allowed: CONNECT | CONNACK | AUTH },
  { id: 0x17, name: 'requestProblemInformation', type: DataType.Byte, allowed: CONNECT, check: zeroOrOne },
  { id: 0x18, name: 'willDelayInterval', type: DataType.U32, allowed: WILL_BIT },
  { id: 0x19, name: 'requestResponseInformation', type: DataType.Byte, allowed: CONNECT, check: zeroOrOne },
  { id: 0x1a, name: 'responseInformation', type: DataType.Utf8, allowed: CONNACK },
  { id: 0x1c, name: 'serverReference', type: DataType.Utf8, allowed: CONNACK | DISCONNECT },
  {
    id: 0x1f,
    name: 'reasonString',
    type: DataType.Utf8,
    allowed: CONNACK | PUBACK | PUBREC | PUBREL | PUBCOMP | SUBACK | UNSUBACK | DISCONNECT | AUTH,
  },
  { id: 0x21, name: 'receiveMaximum', type: DataType.U16, allowed: CONNECT | CONNACK, check: nonZero },
  { id: 0x22, name: 'topicAliasMaximum', type: DataType.U16, allowed: CONNECT | CONNACK },
  // Topic Alias 0 is rejected by the PUBLISH handler with 0x94 Topic Alias invalid, not here.
  { id: 0x23, name: 'topicAlias', type: DataType.U16, allowed: PUBLISH },
  { id: 0x24, name: 'maximumQoS', type: DataType.Byte, allowed: CONNACK, check: zeroOrOne },
  { id: 0x25, name: 'retainAvailable', type: DataType.Byte, allowed: CONNACK, check: zeroOrOne },
  {
    id: 0x26,
    name: 'userProperties',
    type: DataType.Pair,
    allowed:
      CONNECT |
      CONNACK |
      PUBLISH |
      WILL_BIT |
      PUBACK |
      PUBREC |
      PUBREL |
      PUBCOMP |
      SUBSCRIBE |
      SUBACK |
      UNSUBSCRIBE |
      UNSUBACK |
      DISCONNECT |
      AUTH,
  },
  { id: 0x27, name: 'maximumPacketSize', type: DataType.U32, allowed: CONNECT | CONNACK, check: nonZero },
  {
    id: 0x28,
    name: 'wildcardSubscriptionAvailable',
    type: DataType.Byte,
    allowed: CONNACK,
    check: zeroOrOne,
  },
  {
    id: 0x29,
    name: 'subscriptionIdentifiersAvailable',
    type: DataType.Byte,
    allowed: CONNACK,
    check: zeroOrOne,
  },
  { id: 0x2a, name: 'sharedSubscriptionAvailable', type: DataType.Byte, allowed: CONNACK, check: zeroOrOne },
];

const BY_ID: (PropertyDef | undefined)[] = [];
for (const def of PROPERTY_DEFS) BY_ID[def.id] = def;

const PACKET_NAMES = [
  'Will Properties',
  'CONNECT',
  'CONNACK',
  'PUBLISH',
  'PUBACK',
  'PUBREC',
  'PUBREL',
  'PUBCOMP',
  'SUBSCRIBE',
  'SUBACK',
  'UNSUBSCRIBE',
  'UNSUBACK',
  'PINGREQ',
  'PINGRESP',
  'DISCONNECT',
  'AUTH',
];

/** The identifier of a property name, for tests and diagnostics. */
export function propertyId(name: keyof Properties): number {
  const def = PROPERTY_DEFS.find((d) => d.name === name);
  if (!def) throw new RangeError(`unknown property ${name}`);
  return def.id;
}

/**
 * Reads a Property Length and the properties after it, for packet type `code` (or WILL).
 * Returns undefined when the length is 0, so a packet without properties carries no object.
 */
export function readProperties(r: Reader, code: number): Properties | undefined {
  const len = r.varint('the property length');
  if (len === 0) return undefined;
  if (len > r.remaining) throw malformed('property length exceeds the packet');
  const outerEnd = r.end;
  r.end = r.pos + len;
  const props: Record<string, unknown> = {};
  while (r.pos < r.end) {
    const id = r.varint('a property identifier');
    const def = BY_ID[id];
    if (def === undefined) throw malformed(`unknown property identifier 0x${id.toString(16)}`);
    if ((def.allowed & (1 << code)) === 0) {
      throw malformed(`property ${def.name} is not allowed in ${PACKET_NAMES[code]}`);
    }
    let value: number | string | Buffer | UserProperty;
    switch (def.type) {
      case DataType.Byte:
        value = r.u8(def.name);
        break;
      case DataType.U16:
        value = r.u16(def.name);
        break;
      case DataType.U32:
        value = r.u32(def.name);
        break;
      case DataType.VarInt:
        value = r.varint(def.name);
        break;
      case DataType.Utf8:
        value = r.utf8(def.name);
        break;
      case DataType.Binary:
        value = r.binary(def.name);
        break;
      case DataType.Pair: {
        // [MQTT-1.5.7-1] both name and value follow the UTF-8 string rules.
        const name = r.utf8('a user property name');
        value = [name, r.utf8('a user property value')] as const;
        break;
      }
    }
    if (def.check !== undefined) {
      const problem = def.check(value as number);
      if (problem !== undefined) throw protocolError(`property ${def.name} ${problem}`);
    }
    const existing = props[def.name];
    if (def.type === DataType.Pair) {
      // User properties may repeat, even with the same name (2.2.2.2); order is kept.
      if (existing === undefined) props[def.name] = [value];
      else (existing as unknown[]).push(value);
    } else if (def.name === 'subscriptionIdentifiers') {
      // Several on a PUBLISH sent to a client (3.3.4); at most one on SUBSCRIBE (3.8.2.1.2).
      if (existing === undefined) props[def.name] = [value];
      else if (code === 3) (existing as unknown[]).push(value);
      else throw protocolError('SUBSCRIBE carries more than one subscription identifier');
    } else if (existing !== undefined) {
      throw protocolError(`property ${def.name} appears more than once`);
    } else {
      props[def.name] = value;
    }
  }
  r.end = outerEnd;
  return props as Properties;
}

function valueSize(def: PropertyDef, value: unknown): number {
  switch (def.type) {
    case DataType.Byte:
      return 1;
    case DataType.U16:
      return 2;
    case DataType.U32:
      return 4;
    case DataType.VarInt:
      return varintSize(value as number);
    case DataType.Utf8:
      return 2 + utf8Size(value as string);
    case DataType.Binary:
      return binarySize(value as Buffer);
    case DataType.Pair: {
      const [name, v] = value as UserProperty;
      return 4 + utf8Size(name) + utf8Size(v);
    }
  }
}

/** Length of the properties themselves, without the Property Length prefix. */
export function propertiesLength(props: Properties | undefined, code: number): number {
  if (props === undefined) return 0;
  let n = 0;
  for (const def of PROPERTY_DEFS) {
    const value = props[def.name];
    if (value === undefined) continue;
    if ((def.allowed & (1 << code)) === 0) {
      throw new RangeError(`property ${def.name} is not allowed in ${PACKET_NAMES[code]}`);
    }
    if (def.type === DataType.Pair || def.name === 'subscriptionIdentifiers') {
      const list = value as readonly unknown[];
      if (def.name === 'subscriptionIdentifiers' && code !== 3 && list.length > 1) {
        throw new RangeError('SUBSCRIBE carries at most one subscription identifier');
      }
      for (const item of list) n += 1 + valueSize(def, item);
    } else {
      n += 1 + valueSize(def, value);
    }
  }
  if (n > MAX_VARINT) throw new RangeError('properties too long');
  return n;
}

/** Property Length prefix plus properties. */
export function propertiesSize(props: Properties | undefined, code: number): number {
  const n = propertiesLength(props, code);
  return varintSize(n) + n;
}

function writeValue(w: Writer, def: PropertyDef, value: unknown): void {
  w.u8(def.id);
  switch (def.type) {
    case DataType.Byte:
      w.u8(value as number);
      break;
    case DataType.U16:
      w.u16(value as number);
      break;
    case DataType.U32:
      w.u32(value as number);
      break;
    case DataType.VarInt:
      w.varint(value as number);
      break;
    case DataType.Utf8:
      w.utf8(value as string);
      break;
    case DataType.Binary:
      w.binary(value as Buffer);
      break;
    case DataType.Pair:
      w.utf8((value as UserProperty)[0]);
      w.utf8((value as UserProperty)[1]);
      break;
  }
}

/** Writes the Property Length and the properties (a lone 0 when there are none [MQTT-2.2.2-1]). */
export function writeProperties(w: Writer, props: Properties | undefined, code: number): void {
  w.varint(propertiesLength(props, code));
  if (props === undefined) return;
  for (const def of PROPERTY_DEFS) {
    const value = props[def.name];
    if (value === undefined) continue;
    if (def.type === DataType.Pair || def.name === 'subscriptionIdentifiers') {
      for (const item of value as readonly unknown[]) writeValue(w, def, item);
    } else {
      writeValue(w, def, value);
    }
  }
}

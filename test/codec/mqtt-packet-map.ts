// Mapping between Midge's Packet shape and mqtt-packet's objects, for the differential test.
//
// Where mqtt-packet differs from us (none of these are spec violations on our side):
// - Byte-valued 0/1 properties (payloadFormatIndicator, requestProblemInformation, requestResponseInformation,
//   retainAvailable, wildcard/subscription-identifier/shared subscription available) are booleans there;
//   maximumQoS stays a number.
// - User properties are an object { name: value | value[] }: entries with the same name are grouped and
//   integer-like names would be reordered, and a repeated name whose first value is '' is lost
//   (`if (result[name])`). The generator only makes grouped, letter-only names with non-empty values.
// - subscriptionIdentifiers is `subscriptionIdentifier`: a number when one, an array when several.
// - CONNACK carries `returnCode` below 5.0 and `reasonCode` at 5.0; UNSUBACK's 5.0 reason codes are `granted`.
// - At 5.0 a missing reason code (PUBACK..PUBCOMP, DISCONNECT, AUTH) is parsed as reasonCode 0.
import mqttPacket from 'mqtt-packet';
import type { Packet, Properties, ProtocolVersion, UserProperty } from '../../src/protocol/index.js';

type Obj = Record<string, unknown>;

const BOOLEAN_PROPERTIES = new Set<string>([
  'payloadFormatIndicator',
  'requestProblemInformation',
  'requestResponseInformation',
  'retainAvailable',
  'wildcardSubscriptionAvailable',
  'subscriptionIdentifiersAvailable',
  'sharedSubscriptionAvailable',
]);

/** Our identifier order, so that mqtt-packet (which writes in key order) produces the same bytes. */
const ORDER: (keyof Properties)[] = [
  'payloadFormatIndicator',
  'messageExpiryInterval',
  'contentType',
  'responseTopic',
  'correlationData',
  'subscriptionIdentifiers',
  'sessionExpiryInterval',
  'assignedClientIdentifier',
  'serverKeepAlive',
  'authenticationMethod',
  'authenticationData',
  'requestProblemInformation',
  'willDelayInterval',
  'requestResponseInformation',
  'responseInformation',
  'serverReference',
  'reasonString',
  'receiveMaximum',
  'topicAliasMaximum',
  'topicAlias',
  'maximumQoS',
  'retainAvailable',
  'userProperties',
  'maximumPacketSize',
  'wildcardSubscriptionAvailable',
  'subscriptionIdentifiersAvailable',
  'sharedSubscriptionAvailable',
];

function userPropertiesObject(list: readonly UserProperty[]): Obj {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of list) {
    const existing = out[name];
    if (existing === undefined) out[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else out[name] = [existing, value];
  }
  return out;
}

export function toMqttProperties(props: Properties | undefined): Obj | undefined {
  if (props === undefined) return undefined;
  const out: Obj = {};
  for (const name of ORDER) {
    const value = props[name];
    if (value === undefined) continue;
    if (name === 'userProperties') out.userProperties = userPropertiesObject(value as UserProperty[]);
    else if (name === 'subscriptionIdentifiers') {
      const ids = value as number[];
      out.subscriptionIdentifier = ids.length === 1 ? ids[0] : ids;
    } else if (BOOLEAN_PROPERTIES.has(name)) out[name] = value === 1;
    else out[name] = value;
  }
  return out;
}

const opt = (key: string, value: unknown): Obj => (value === undefined ? {} : { [key]: value });

/** Our packet as the object mqtt-packet generates from and parses to. */
export function toMqttPacket(p: Packet, version: ProtocolVersion): Obj {
  const v5 = version === 5;
  const props = v5 && 'properties' in p ? opt('properties', toMqttProperties(p.properties)) : {};
  switch (p.type) {
    case 'connect':
      return {
        cmd: 'connect',
        protocolId: p.protocolName,
        protocolVersion: p.protocolVersion,
        clean: p.clean,
        keepalive: p.keepalive,
        clientId: p.clientId,
        ...opt('username', p.username),
        ...opt('password', p.password),
        ...(p.will
          ? {
              will: {
                topic: p.will.topic,
                payload: p.will.payload,
                qos: p.will.qos,
                retain: p.will.retain,
                ...(v5 ? opt('properties', toMqttProperties(p.will.properties)) : {}),
              },
            }
          : {}),
        ...props,
      };
    case 'connack':
      return {
        cmd: 'connack',
        sessionPresent: p.sessionPresent,
        ...(v5 ? { reasonCode: p.reasonCode } : { returnCode: p.reasonCode }),
        ...props,
      };
    case 'publish':
      return {
        cmd: 'publish',
        topic: p.topic,
        payload: p.payload,
        qos: p.qos,
        dup: p.dup,
        retain: p.retain,
        ...opt('messageId', p.packetId),
        ...props,
      };
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      return {
        cmd: p.type,
        messageId: p.packetId,
        ...(v5 ? { reasonCode: p.reasonCode ?? 0 } : {}),
        ...props,
      };
    case 'subscribe':
      return {
        cmd: 'subscribe',
        messageId: p.packetId,
        subscriptions: p.subscriptions.map((s) =>
          v5
            ? {
                topic: s.topicFilter,
                qos: s.qos,
                nl: s.noLocal ?? false,
                rap: s.retainAsPublished ?? false,
                rh: s.retainHandling ?? 0,
              }
            : { topic: s.topicFilter, qos: s.qos },
        ),
        ...props,
      };
    case 'suback':
      return { cmd: 'suback', messageId: p.packetId, granted: p.reasonCodes, ...props };
    case 'unsubscribe':
      return { cmd: 'unsubscribe', messageId: p.packetId, unsubscriptions: p.topicFilters, ...props };
    case 'unsuback':
      return {
        cmd: 'unsuback',
        messageId: p.packetId,
        ...(v5 ? { granted: p.reasonCodes ?? [] } : {}),
        ...props,
      };
    case 'pingreq':
    case 'pingresp':
      return { cmd: p.type };
    case 'disconnect':
    case 'auth':
      return { cmd: p.type, ...(v5 ? { reasonCode: p.reasonCode ?? 0 } : {}), ...props };
  }
}

/**
 * A comparable form of an mqtt-packet object: parser bookkeeping (length; retain/qos/dup/topic/payload
 * defaults on packets that have no such fields) removed, Buffers as hex, null-prototype objects as plain
 * objects, undefined members dropped.
 */
export function canonical(o: Obj): unknown {
  const copy: Obj = { ...o };
  delete copy.length;
  if (copy.cmd !== 'publish') {
    delete copy.retain;
    delete copy.qos;
    delete copy.dup;
    if (copy.topic === null) delete copy.topic;
    if (copy.payload === null) delete copy.payload;
  }
  return plain(copy);
}

function plain(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return `hex:${v.toString('hex')}`;
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = plain(x);
    return out;
  }
  return v;
}

export function mqttGenerate(p: Packet, version: ProtocolVersion): Buffer {
  return mqttPacket.generate(toMqttPacket(p, version) as unknown as mqttPacket.Packet, {
    protocolVersion: version,
  });
}

/** mqtt-packet's parse of one whole packet; throws what its parser reports. */
export function mqttParse(bytes: Buffer, version: ProtocolVersion): Obj {
  const parser = mqttPacket.parser({ protocolVersion: version });
  const packets: Obj[] = [];
  let error: Error | undefined;
  parser.on('packet', (p: unknown) => packets.push(p as Obj));
  parser.on('error', (e: Error) => (error = e));
  parser.parse(bytes);
  if (error) throw error;
  if (packets.length !== 1) throw new Error(`mqtt-packet parsed ${packets.length} packets`);
  return packets[0] as Obj;
}

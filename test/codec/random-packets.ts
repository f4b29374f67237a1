// Random valid packets of every type and version, for the differential and fuzz tests. Values stay inside
// what both the spec and mqtt-packet accept (see the notes in mqtt-packet-map.ts).
import type {
  Packet,
  Properties,
  ProtocolVersion,
  QoS,
  Subscription,
  UserProperty,
} from '../../src/protocol/index.js';
import type { Prng } from './prng.js';

const ALPHABET = ['a', 'b', 'z', '/', '+', '#', '$', ' ', '-', '0', '9', 'é', 'ß', '中', '😀', '\ufeff'];
const NAME_ALPHABET = ['a', 'b', 'c', 'x', 'y', 'Q', '_'];

function text(prng: Prng, min: number, max: number, alphabet = ALPHABET): string {
  let s = '';
  const n = prng.int(min, max);
  for (let i = 0; i < n; i++) s += prng.pick(alphabet);
  return s;
}

/** User properties grouped by name, names never integer-like, values never empty (mqtt-packet notes). */
function userProperties(prng: Prng): UserProperty[] {
  const out: UserProperty[] = [];
  const names = new Set<string>();
  const count = prng.int(1, 3);
  while (names.size < count) names.add(text(prng, 1, 6, NAME_ALPHABET));
  for (const name of names) {
    for (let i = prng.int(1, 2); i > 0; i--) out.push([name, text(prng, 1, 8)]);
  }
  return out;
}

const bin = (prng: Prng, max: number): Buffer => prng.bytes(prng.int(0, max));
const zeroOrOne = (prng: Prng): number => prng.int(0, 1);
const u16 = (prng: Prng, min = 0): number => prng.pick([min, min + 1, 1000, 65535]);
const u32 = (prng: Prng, min = 0): number => prng.pick([min, min + 1, 65536, 2 ** 32 - 1]);
const varint = (prng: Prng): number => prng.pick([1, 127, 128, 16384, 268435455, prng.int(1, 268435455)]);

type Generators = { [K in keyof Properties]-?: (prng: Prng) => NonNullable<Properties[K]> };
const VALUES: Generators = {
  payloadFormatIndicator: zeroOrOne,
  messageExpiryInterval: (p) => u32(p),
  contentType: (p) => text(p, 0, 12),
  responseTopic: (p) => text(p, 1, 12),
  correlationData: (p) => bin(p, 8),
  subscriptionIdentifiers: (p) => [varint(p)],
  sessionExpiryInterval: (p) => u32(p),
  assignedClientIdentifier: (p) => text(p, 1, 23),
  serverKeepAlive: (p) => u16(p),
  authenticationMethod: (p) => text(p, 1, 12),
  authenticationData: (p) => bin(p, 8),
  requestProblemInformation: zeroOrOne,
  willDelayInterval: (p) => u32(p),
  requestResponseInformation: zeroOrOne,
  responseInformation: (p) => text(p, 0, 12),
  serverReference: (p) => text(p, 1, 12),
  reasonString: (p) => text(p, 0, 12),
  receiveMaximum: (p) => u16(p, 1),
  topicAliasMaximum: (p) => u16(p),
  topicAlias: (p) => u16(p, 1),
  maximumQoS: zeroOrOne,
  retainAvailable: zeroOrOne,
  userProperties,
  maximumPacketSize: (p) => u32(p, 1),
  wildcardSubscriptionAvailable: zeroOrOne,
  subscriptionIdentifiersAvailable: zeroOrOne,
  sharedSubscriptionAvailable: zeroOrOne,
};

/** Properties each place may carry (5.0 Table 2-4). */
const ALLOWED = {
  connect: [
    'sessionExpiryInterval',
    'authenticationMethod',
    'authenticationData',
    'requestProblemInformation',
    'requestResponseInformation',
    'receiveMaximum',
    'topicAliasMaximum',
    'userProperties',
    'maximumPacketSize',
  ],
  will: [
    'payloadFormatIndicator',
    'messageExpiryInterval',
    'contentType',
    'responseTopic',
    'correlationData',
    'willDelayInterval',
    'userProperties',
  ],
  connack: [
    'sessionExpiryInterval',
    'assignedClientIdentifier',
    'serverKeepAlive',
    'authenticationMethod',
    'authenticationData',
    'responseInformation',
    'serverReference',
    'reasonString',
    'receiveMaximum',
    'topicAliasMaximum',
    'maximumQoS',
    'retainAvailable',
    'userProperties',
    'maximumPacketSize',
    'wildcardSubscriptionAvailable',
    'subscriptionIdentifiersAvailable',
    'sharedSubscriptionAvailable',
  ],
  publish: [
    'payloadFormatIndicator',
    'messageExpiryInterval',
    'contentType',
    'responseTopic',
    'correlationData',
    'subscriptionIdentifiers',
    'topicAlias',
    'userProperties',
  ],
  ack: ['reasonString', 'userProperties'],
  subscribe: ['subscriptionIdentifiers', 'userProperties'],
  unsubscribe: ['userProperties'],
  disconnect: ['sessionExpiryInterval', 'serverReference', 'reasonString', 'userProperties'],
  auth: ['authenticationMethod', 'authenticationData', 'reasonString', 'userProperties'],
} as const satisfies Record<string, readonly (keyof Properties)[]>;

function properties(prng: Prng, where: keyof typeof ALLOWED): Properties | undefined {
  if (prng.bool(0.3)) return undefined;
  const out: Record<string, unknown> = {};
  for (const name of ALLOWED[where]) if (prng.bool(0.4)) out[name] = VALUES[name](prng);
  if (where === 'publish' && out.subscriptionIdentifiers !== undefined && prng.bool(0.5)) {
    out.subscriptionIdentifiers = [varint(prng), varint(prng), varint(prng)];
  }
  return Object.keys(out).length === 0 ? undefined : (out as Properties);
}

/** Reason codes defined for each packet in 5.0 (sections 3.2.2.2, 3.4.2.1, ... 3.15.2.1). */
export const REASON_CODES = {
  connack: [
    0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99,
    0x9a, 0x9b, 0x9c, 0x9d, 0x9f,
  ],
  pubackPubrec: [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99],
  pubrelPubcomp: [0x00, 0x92],
  suback: [0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2],
  unsuback: [0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91],
  disconnect: [
    0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95, 0x96,
    0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2,
  ],
  auth: [0x00, 0x18, 0x19],
};

const TYPES = [
  'connect',
  'connack',
  'publish',
  'puback',
  'pubrec',
  'pubrel',
  'pubcomp',
  'subscribe',
  'suback',
  'unsubscribe',
  'unsuback',
  'pingreq',
  'pingresp',
  'disconnect',
  'auth',
] as const;

const withProps = <T extends object>(packet: T, props: Properties | undefined): T =>
  props === undefined ? packet : { ...packet, properties: props };

export function randomPacket(prng: Prng, version: ProtocolVersion): Packet {
  const v5 = version === 5;
  const type = v5 ? prng.pick(TYPES) : prng.pick(TYPES.slice(0, -1));
  const qos = (): QoS => prng.int(0, 2) as QoS;
  const packetId = (): number => prng.pick([1, 2, 255, 256, 65535, prng.int(1, 65535)]);
  switch (type) {
    case 'connect': {
      const clean = prng.bool();
      // mqtt-packet: 3.1 needs a client id; an empty one needs clean session.
      const clientId = text(prng, version === 3 || !clean ? 1 : 0, 23, NAME_ALPHABET);
      const username = prng.bool() ? text(prng, 0, 12) : undefined;
      // mqtt-packet refuses a password without a user name, even at 5.0 where the spec allows it.
      const password = username !== undefined && prng.bool() ? bin(prng, 10) : undefined;
      const packet: Packet = {
        type,
        protocolName: version === 3 ? 'MQIsdp' : 'MQTT',
        protocolVersion: version,
        clean,
        keepalive: u16(prng),
        clientId,
        ...(username !== undefined ? { username } : {}),
        ...(password !== undefined ? { password } : {}),
      };
      if (prng.bool()) {
        const willProps = v5 ? properties(prng, 'will') : undefined;
        packet.will = withProps(
          { topic: text(prng, 1, 16), payload: bin(prng, 20), qos: qos(), retain: prng.bool() },
          willProps,
        );
      }
      return v5 ? withProps(packet, properties(prng, 'connect')) : packet;
    }
    case 'connack': {
      const reasonCode = v5 ? prng.pick(REASON_CODES.connack) : prng.int(0, 5);
      const packet: Packet = { type, sessionPresent: reasonCode === 0 && prng.bool(), reasonCode };
      return v5 ? withProps(packet, properties(prng, 'connack')) : packet;
    }
    case 'publish': {
      const q = qos();
      const packet: Packet = {
        type,
        topic: text(prng, 1, 24),
        payload: bin(prng, prng.bool(0.05) ? 300 : 40),
        qos: q,
        retain: prng.bool(),
        dup: q > 0 && prng.bool(),
        ...(q > 0 ? { packetId: packetId() } : {}),
      };
      return v5 ? withProps(packet, properties(prng, 'publish')) : packet;
    }
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp': {
      const packet: Packet = { type, packetId: packetId() };
      if (!v5) return packet;
      const codes =
        type === 'puback' || type === 'pubrec' ? REASON_CODES.pubackPubrec : REASON_CODES.pubrelPubcomp;
      const reasonCode = prng.pick(codes);
      return withProps(
        reasonCode === 0 && prng.bool() ? packet : { ...packet, reasonCode },
        properties(prng, 'ack'),
      );
    }
    case 'subscribe': {
      const subscriptions: Subscription[] = [];
      for (let i = prng.int(1, 4); i > 0; i--) {
        const s: Subscription = { topicFilter: text(prng, 1, 16), qos: qos() };
        subscriptions.push(
          v5
            ? {
                ...s,
                noLocal: prng.bool(),
                retainAsPublished: prng.bool(),
                retainHandling: prng.int(0, 2) as 0 | 1 | 2,
              }
            : s,
        );
      }
      const packet: Packet = { type, packetId: packetId(), subscriptions };
      return v5 ? withProps(packet, properties(prng, 'subscribe')) : packet;
    }
    case 'suback': {
      const reasonCodes: number[] = [];
      for (let i = prng.int(1, 5); i > 0; i--)
        reasonCodes.push(prng.pick(v5 ? REASON_CODES.suback : [0, 1, 2, 0x80]));
      const packet: Packet = { type, packetId: packetId(), reasonCodes };
      return v5 ? withProps(packet, properties(prng, 'ack')) : packet;
    }
    case 'unsubscribe': {
      const topicFilters: string[] = [];
      for (let i = prng.int(1, 4); i > 0; i--) topicFilters.push(text(prng, 1, 16));
      const packet: Packet = { type, packetId: packetId(), topicFilters };
      return v5 ? withProps(packet, properties(prng, 'unsubscribe')) : packet;
    }
    case 'unsuback': {
      if (!v5) return { type, packetId: packetId() };
      const reasonCodes: number[] = [];
      for (let i = prng.int(1, 5); i > 0; i--) reasonCodes.push(prng.pick(REASON_CODES.unsuback));
      return withProps({ type, packetId: packetId(), reasonCodes }, properties(prng, 'ack'));
    }
    case 'pingreq':
    case 'pingresp':
      return { type };
    case 'disconnect': {
      if (!v5) return { type };
      const reasonCode = prng.pick(REASON_CODES.disconnect);
      return withProps(
        reasonCode === 0 && prng.bool() ? { type } : { type, reasonCode },
        properties(prng, 'disconnect'),
      );
    }
    case 'auth': {
      const reasonCode = prng.pick(REASON_CODES.auth);
      return withProps(
        reasonCode === 0 && prng.bool() ? { type } : { type, reasonCode },
        properties(prng, 'auth'),
      );
    }
  }
}

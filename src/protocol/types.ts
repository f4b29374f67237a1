// The packet model: readonly plain data in one discriminated union, shared by every protocol version.
// Field names follow the specification (packetId, noLocal, retainAsPublished, ...).

/** Protocol level byte of CONNECT: 3 = MQTT 3.1 ("MQIsdp"), 4 = MQTT 3.1.1, 5 = MQTT 5.0. */
export type ProtocolVersion = 3 | 4 | 5;
export type QoS = 0 | 1 | 2;
export type RetainHandling = 0 | 1 | 2;
export type UserProperty = readonly [name: string, value: string];

/** MQTT 5.0 properties (section 2.2.2.2). Absent means "not on the wire". Byte-valued flags stay numbers. */
export interface Properties {
  payloadFormatIndicator?: number;
  messageExpiryInterval?: number;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Buffer;
  /** Several may appear on a PUBLISH sent to a client; SUBSCRIBE carries at most one. */
  subscriptionIdentifiers?: number[];
  sessionExpiryInterval?: number;
  assignedClientIdentifier?: string;
  serverKeepAlive?: number;
  authenticationMethod?: string;
  authenticationData?: Buffer;
  requestProblemInformation?: number;
  willDelayInterval?: number;
  requestResponseInformation?: number;
  responseInformation?: string;
  serverReference?: string;
  reasonString?: string;
  receiveMaximum?: number;
  topicAliasMaximum?: number;
  topicAlias?: number;
  maximumQoS?: number;
  retainAvailable?: number;
  /** Order is preserved; the same name may repeat. */
  userProperties?: UserProperty[];
  maximumPacketSize?: number;
  wildcardSubscriptionAvailable?: number;
  subscriptionIdentifiersAvailable?: number;
  sharedSubscriptionAvailable?: number;
}

export interface Will {
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  /** MQTT 5 will properties (will delay interval, message expiry, content type, ...). */
  properties?: Properties;
}

export interface ConnectPacket {
  type: 'connect';
  /** 'MQTT' for levels 4 and 5, 'MQIsdp' for level 3. */
  protocolName: string;
  protocolVersion: ProtocolVersion;
  /** Clean Session (3.1.1) or Clean Start (5.0). */
  clean: boolean;
  keepalive: number;
  clientId: string;
  username?: string;
  password?: Buffer;
  will?: Will;
  properties?: Properties;
}

export interface ConnackPacket {
  type: 'connack';
  sessionPresent: boolean;
  /** CONNACK return code (3.1.1, 0..5) or reason code (5.0). */
  reasonCode: number;
  properties?: Properties;
}

export interface PublishPacket {
  type: 'publish';
  topic: string;
  /** A view into the received bytes: never mutate it. */
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  dup: boolean;
  /** Present exactly when qos > 0 [MQTT-2.3.1-5]. */
  packetId?: number;
  properties?: Properties;
}

/** PUBACK, PUBREC, PUBREL and PUBCOMP share one shape. */
export interface PubAckLikePacket<T extends 'puback' | 'pubrec' | 'pubrel' | 'pubcomp'> {
  type: T;
  packetId: number;
  /** MQTT 5 only; absent means 0x00 Success. */
  reasonCode?: number;
  properties?: Properties;
}
export type PubackPacket = PubAckLikePacket<'puback'>;
export type PubrecPacket = PubAckLikePacket<'pubrec'>;
export type PubrelPacket = PubAckLikePacket<'pubrel'>;
export type PubcompPacket = PubAckLikePacket<'pubcomp'>;

export interface Subscription {
  topicFilter: string;
  /** Maximum QoS requested. */
  qos: QoS;
  /** MQTT 5 subscription options; false / 0 when absent. */
  noLocal?: boolean;
  retainAsPublished?: boolean;
  retainHandling?: RetainHandling;
}

export interface SubscribePacket {
  type: 'subscribe';
  packetId: number;
  subscriptions: Subscription[];
  properties?: Properties;
}

export interface SubackPacket {
  type: 'suback';
  packetId: number;
  /** Granted QoS (0, 1, 2) or a failure code (0x80 in 3.1.1; any reason code >= 0x80 in 5.0). */
  reasonCodes: number[];
  properties?: Properties;
}

export interface UnsubscribePacket {
  type: 'unsubscribe';
  packetId: number;
  topicFilters: string[];
  properties?: Properties;
}

export interface UnsubackPacket {
  type: 'unsuback';
  packetId: number;
  /** MQTT 5 only: one reason code per topic filter. */
  reasonCodes?: number[];
  properties?: Properties;
}

export interface PingreqPacket {
  type: 'pingreq';
}
export interface PingrespPacket {
  type: 'pingresp';
}

export interface DisconnectPacket {
  type: 'disconnect';
  /** MQTT 5 only; absent means 0x00 Normal disconnection. */
  reasonCode?: number;
  properties?: Properties;
}

/** MQTT 5 only. */
export interface AuthPacket {
  type: 'auth';
  /** Absent means 0x00 Success. */
  reasonCode?: number;
  properties?: Properties;
}

export type Packet =
  | ConnectPacket
  | ConnackPacket
  | PublishPacket
  | PubackPacket
  | PubrecPacket
  | PubrelPacket
  | PubcompPacket
  | SubscribePacket
  | SubackPacket
  | UnsubscribePacket
  | UnsubackPacket
  | PingreqPacket
  | PingrespPacket
  | DisconnectPacket
  | AuthPacket;

export type PacketType = Packet['type'];

/** Control packet type numbers of the fixed header (bits 7-4 of byte 1). */
export const PACKET_TYPE_CODES: Readonly<Record<PacketType, number>> = {
  connect: 1,
  connack: 2,
  publish: 3,
  puback: 4,
  pubrec: 5,
  pubrel: 6,
  pubcomp: 7,
  subscribe: 8,
  suback: 9,
  unsubscribe: 10,
  unsuback: 11,
  pingreq: 12,
  pingresp: 13,
  disconnect: 14,
  auth: 15,
};

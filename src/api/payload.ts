// JSON bodies ↔ MQTT messages: payload encodings and the MQTT 5 properties the publish API accepts.
import { ControlError } from '../index.js';
import type { Properties, PublishRequest, QoS, RetainedInfo } from '../index.js';

export interface PublishBody {
  topic: string;
  payload?: unknown;
  encoding?: 'utf8' | 'base64' | 'json';
  qos?: QoS;
  retain?: boolean;
  properties?: {
    contentType?: string;
    responseTopic?: string;
    correlationData?: string;
    messageExpiryInterval?: number;
    payloadFormatIndicator?: boolean;
    userProperties?: Record<string, string | string[]>;
  };
  waitFor?: { clientId: string; timeoutMs?: number };
}

/** The longest a wait-mode request may hold its connection. */
export const MAX_WAIT_MS = 60_000;

export function payloadOf(body: PublishBody): Buffer {
  const encoding = body.encoding ?? 'utf8';
  const payload = body.payload ?? '';
  if (encoding === 'json') return Buffer.from(JSON.stringify(payload), 'utf8');
  if (typeof payload !== 'string') {
    throw new ControlError(
      'MIDGE_API_BAD_PAYLOAD',
      `payload must be a string with encoding '${encoding}'`,
      400,
    );
  }
  if (encoding === 'base64') {
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(payload)) {
      throw new ControlError('MIDGE_API_BAD_PAYLOAD', 'payload is not valid base64', 400);
    }
    return Buffer.from(payload, 'base64');
  }
  return Buffer.from(payload, 'utf8');
}

function propertiesOf(body: PublishBody): Properties | undefined {
  const p = body.properties;
  if (p === undefined) return undefined;
  const properties: Properties = {};
  if (p.contentType !== undefined) properties.contentType = p.contentType;
  if (p.responseTopic !== undefined) properties.responseTopic = p.responseTopic;
  if (p.correlationData !== undefined) properties.correlationData = Buffer.from(p.correlationData, 'base64');
  if (p.messageExpiryInterval !== undefined) properties.messageExpiryInterval = p.messageExpiryInterval;
  if (p.payloadFormatIndicator !== undefined)
    properties.payloadFormatIndicator = p.payloadFormatIndicator ? 1 : 0;
  if (p.userProperties !== undefined) {
    properties.userProperties = Object.entries(p.userProperties).flatMap(([name, value]) =>
      (Array.isArray(value) ? value : [value]).map((v) => [name, v] as const),
    );
  }
  return properties;
}

export function publishRequestOf(body: PublishBody): PublishRequest {
  const request: PublishRequest = {
    topic: body.topic,
    payload: payloadOf(body),
    qos: body.qos ?? 0,
    retain: body.retain ?? false,
    properties: propertiesOf(body),
  };
  if (body.waitFor !== undefined) {
    request.waitFor = {
      clientId: body.waitFor.clientId,
      timeoutMs: Math.min(body.waitFor.timeoutMs ?? 10_000, MAX_WAIT_MS),
    };
  }
  return request;
}

/** A retained message as JSON: base64 payload always, text too when it is valid UTF-8. */
export function retainedJson(info: RetainedInfo): Record<string, unknown> {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(info.payload);
  const isText = Buffer.from(text, 'utf8').equals(info.payload);
  return {
    topic: info.topic,
    payload: info.payload.toString('base64'),
    ...(isText ? { text } : {}),
    qos: info.qos,
    receivedAt: info.receivedAt,
    ...(info.properties?.contentType !== undefined ? { contentType: info.properties.contentType } : {}),
  };
}

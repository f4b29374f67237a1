// Envelope mode: on configured topic filters every message must be a JSON envelope
// {timestamp, client_id, message_type, data, token}; the token (a device token or a JWT) must be genuine and
// issued for client_id, the timestamp recent, the token+timestamp pair unseen. Implemented as an onPublish
// interceptor, so MQTT clients and the HTTP API pass the same gate.
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { UserProperty } from '../protocol/types.js';
import { topicMatches } from '../topic/match.js';
import type { EnvelopeConfig } from '../config/schema.js';
import { verifyDeviceToken } from './device-token.js';
import { ReplayCache } from './replay-cache.js';
import type { BrokerHooks, HookClient, HookMessage, PublishEvent, Verdict } from './types.js';

const PAYLOAD_FORMAT_INVALID = 0x99;
const NOT_AUTHORIZED = 0x87;
/** What a message_type may be: it becomes one topic level of the $envelope/{message_type}/... copy. */
export const MESSAGE_TYPE = /^[A-Za-z0-9_.-]{1,64}$/;

export interface EnvelopeDeps {
  /** Routes a broker-made message (the $envelope/{type}/... copy) on behalf of the envelope's publisher. */
  publish(message: HookMessage, client: HookClient): void;
  /** Counts a rejection by reason (metrics). */
  rejected(reason: string): void;
}

interface Envelope {
  timestamp: number;
  clientId: string;
  messageType: string;
  data: unknown;
  token: string;
}

type JwtVerify = (token: string) => Promise<string[] | undefined>;

export function createEnvelopeHooks(config: EnvelopeConfig, deps: EnvelopeDeps): BrokerHooks {
  const replays = new ReplayCache(config.replayCacheSize);
  const jwt = jwtVerifier(config);
  const reject = (reason: string, code = NOT_AUTHORIZED): Verdict<HookMessage> => {
    deps.rejected(reason);
    return { reject: code, reason: `envelope: ${reason}` };
  };

  const check = async (event: PublishEvent): Promise<Verdict<HookMessage>> => {
    const { message } = event;
    // Only the broker routes to $envelope/...: a client may not forge a verified copy.
    if (message.topic.startsWith('$envelope/')) return reject('forged_envelope_topic');
    if (!config.filters.some((f) => topicMatches(f, message.topic))) return undefined;
    const envelope = parse(message.payload);
    if (envelope === undefined) return reject('not_an_envelope', PAYLOAD_FORMAT_INVALID);
    const nowSeconds = Date.now() / 1000;
    if (Math.abs(nowSeconds - envelope.timestamp) > config.windowSeconds) return reject('stale_timestamp');
    const clientIds = await tokenClientIds(config, jwt, envelope.token);
    if (clientIds === undefined) return reject('bad_token');
    if (!clientIds.includes(envelope.clientId)) return reject('client_id_mismatch');
    if (!replays.add(`${envelope.token}\u0000${envelope.timestamp}`, nowSeconds + config.windowSeconds)) {
      return reject('replay');
    }
    const verified = forwardable(config, message, envelope);
    if (config.routeByType) {
      deps.publish(
        { ...verified, topic: `$envelope/${envelope.messageType}/${message.topic.replace(/^\//, '')}` },
        event.client,
      );
    }
    return { modify: verified };
  };

  return { name: 'envelope', onPublish: check };
}

function parse(payload: Buffer): Envelope | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const timestamp =
    typeof v.timestamp === 'string' && /^\d{1,13}$/.test(v.timestamp) ? Number(v.timestamp) : v.timestamp;
  const clientId = typeof v.client_id === 'number' ? String(v.client_id) : v.client_id;
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) return undefined;
  if (typeof clientId !== 'string' || clientId === '') return undefined;
  if (typeof v.message_type !== 'string' || !MESSAGE_TYPE.test(v.message_type)) return undefined;
  if (typeof v.token !== 'string' || v.token === '') return undefined;
  // Milliseconds are accepted too: anything past the year 33658 in seconds is surely milliseconds.
  const seconds = timestamp > 1e12 ? timestamp / 1000 : timestamp;
  return { timestamp: seconds, clientId, messageType: v.message_type, data: v.data, token: v.token };
}

async function tokenClientIds(
  config: EnvelopeConfig,
  jwt: JwtVerify | undefined,
  token: string,
): Promise<string[] | undefined> {
  if (token.startsWith('v1.')) {
    return config.secret === undefined ? undefined : verifyDeviceToken(config.secret, token)?.clientIds;
  }
  return jwt === undefined ? undefined : jwt(token);
}

/** The message subscribers get: without the token when configured, with the verified id as a user property. */
function forwardable(config: EnvelopeConfig, message: HookMessage, envelope: Envelope): HookMessage {
  let payload = message.payload;
  if (config.stripToken) {
    const { token: _token, ...rest } = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
    payload = Buffer.from(JSON.stringify(rest), 'utf8');
  }
  if (config.deviceProperty === '') return { ...message, payload };
  const own: UserProperty = [config.deviceProperty, envelope.clientId];
  const userProperties = [
    ...(message.properties?.userProperties ?? []).filter(([n]) => n !== config.deviceProperty),
    own,
  ];
  return { ...message, payload, properties: { ...message.properties, userProperties } };
}

/** jose is loaded only when JWT tokens are configured. Client ids come from `client_id` (string or array) or `sub`. */
function jwtVerifier(config: EnvelopeConfig): JwtVerify | undefined {
  if (config.jwtSecret === undefined && config.jwtPublicKeyFile === undefined) return undefined;
  const pem =
    config.jwtPublicKeyFile === undefined ? undefined : readFileSync(config.jwtPublicKeyFile, 'utf8');
  // jose verifies with a KeyObject (RS/ES/EdDSA public key) or the raw bytes of an HS256 secret.
  const key = pem === undefined ? new TextEncoder().encode(config.jwtSecret) : createPublicKey(pem);
  const ready = import('jose').then((jose) => ({ jose, key }));
  return async (token) => {
    const { jose, key } = await ready;
    try {
      const { payload } = await jose.jwtVerify(token, key);
      const ids = payload.client_id ?? payload.sub;
      if (typeof ids === 'string') return [ids];
      if (Array.isArray(ids)) return ids.map(String);
      return undefined;
    } catch {
      return undefined;
    }
  };
}

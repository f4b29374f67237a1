// Publish admission: the one place that judges whether a message may be routed, for MQTT clients
// (handlers/publish.ts) and in-process publishers (control/publish.ts, the HTTP API) alike, so the two can
// never be judged differently. Callers turn a refusal into their own answer (an ack reason code, a
// DISCONNECT, an HTTP status); what is judged, counted and logged is decided here.
import { isUtf8 } from 'node:buffer';
import type { Properties, QoS } from '../protocol/types.js';
import { ReasonCode } from '../protocol/reason-codes.js';
import { isValidTopicName } from '../topic/validate.js';
import { topicMatches } from '../topic/match.js';
import type { DropReason, HookMessage } from '../hooks/types.js';
import type { AuthChecks, HookRunner, Identity, Logger, Message, BrokerStats } from './context.js';

/** A message as a publisher offers it, before it is judged. */
export interface PublishDraft {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly properties?: Properties;
}

/** The refusals that drop a well-formed message: reported as drops with this reason. */
export type AdmissionDrop = Extract<
  DropReason,
  'bad_payload_format' | 'too_large' | 'not_authorized' | 'rejected_by_hook'
>;

/** Why a publish was refused: a malformed one (a protocol error for MQTT, a bad request for the API) or a drop. */
export type RefusalCause =
  'bad_topic' | 'bad_response_topic' | 'bad_qos' | 'retain_unavailable' | AdmissionDrop;

/** A refused publish: the cause, the MQTT 5 reason code that says it, and for protocol rules the rule id. */
export class PublishRefusal {
  constructor(
    readonly cause: RefusalCause,
    readonly reasonCode: number,
    readonly reason: string,
    readonly rule?: string,
  ) {}
}

/** What admission reads; BrokerContext and the control surface's dependencies both provide it. */
export interface AdmissionContext {
  readonly settings: {
    readonly maxQos: number;
    readonly retainAvailable: boolean;
    /** Largest payload accepted (message_size_limit; 0 = no limit). */
    readonly messageSizeLimit: number;
  };
  readonly auth: AuthChecks;
  readonly hooks: HookRunner;
  readonly stats: BrokerStats;
  readonly log: Logger;
  /** The one place drops are reported (counted by reason, told to onDropped observers). */
  dropped(clientId: string, message: HookMessage, reason: DropReason): void;
}

export type Admission = Message | PublishRefusal;

/**
 * Judges one publish by `identity` and returns the message to route (with `origin` and `receivedAt`) or the
 * refusal. Synchronous unless the ACL answer or an onPublish interceptor has to be awaited, so the QoS 0/1 hot
 * path with a cached ACL answer and no interceptors allocates no promise. Counts the message as received once
 * it is well formed, and counts every refusal that drops a message, by cause.
 */
export function admitPublish(
  ctx: AdmissionContext,
  identity: Identity,
  draft: PublishDraft,
): Admission | Promise<Admission> {
  const { topic, qos, payload } = draft;
  const { settings, stats } = ctx;
  if (!isValidTopicName(topic)) {
    // [MQTT-3.3.2-2] no wildcards in a topic name.
    return new PublishRefusal(
      'bad_topic',
      ReasonCode.TopicNameInvalid,
      `invalid topic name '${topic}'`,
      'MQTT-3.3.2-2',
    );
  }
  const responseTopic = draft.properties?.responseTopic;
  if (responseTopic !== undefined && !isValidTopicName(responseTopic)) {
    // [MQTT-3.3.2-14] a Response Topic is a topic name: no wildcards (a Protocol Error, section 3.3.2.3.5).
    return new PublishRefusal(
      'bad_response_topic',
      ReasonCode.ProtocolError,
      'Response Topic with a wildcard',
      'MQTT-3.3.2-14',
    );
  }
  if (qos > settings.maxQos || (qos !== 0 && qos !== 1 && qos !== 2)) {
    return new PublishRefusal(
      'bad_qos',
      ReasonCode.QoSNotSupported,
      `QoS ${qos} is not supported`,
      'MQTT-3.2.2-11',
    );
  }
  if (draft.retain && !settings.retainAvailable) {
    return new PublishRefusal(
      'retain_unavailable',
      ReasonCode.RetainNotSupported,
      'retain is not available',
      'MQTT-3.2.2-14',
    );
  }
  stats.publishReceived++;
  stats.receivedByQos[qos]++;
  stats.publishBytesReceived += payload.length;
  if (draft.properties?.payloadFormatIndicator === 1 && !isUtf8(payload)) {
    // Section 3.3.2.3.2: a server may check a payload said to be UTF-8; like mosquitto, Midge does.
    return refuse(
      ctx,
      identity,
      draft,
      'bad_payload_format',
      ReasonCode.PayloadFormatInvalid,
      'payload is not UTF-8',
    );
  }
  const limit = settings.messageSizeLimit;
  if (limit > 0 && payload.length > limit) {
    return refuse(
      ctx,
      identity,
      draft,
      'too_large',
      ReasonCode.PacketTooLarge,
      `payload exceeds message_size_limit (${limit} bytes)`,
    );
  }
  if (!mayWriteDollarTopic(topic)) return notAuthorized(ctx, identity, draft);
  const decision = ctx.auth.authorizePublish(identity, topic, qos, draft.retain);
  if (decision === 'allow') return intercept(ctx, identity, draft);
  if (decision === 'deny' || decision === 'defer') return notAuthorized(ctx, identity, draft);
  return decision.then((answer) =>
    answer === 'allow' ? intercept(ctx, identity, draft) : notAuthorized(ctx, identity, draft),
  );
}

/**
 * [mosquitto] no client writes to `$SYS` (the broker's own tree) except a bridge's connection state, and no
 * topic name starts with `$share` (it would read as a shared subscription). Checked before any ACL, so a
 * superuser or an `allow_anonymous` broker without ACL cannot spoof broker figures either.
 */
function mayWriteDollarTopic(topic: string): boolean {
  if (topic.charCodeAt(0) !== 0x24) return true; // '$'
  if (topic === '$SYS' || topic.startsWith('$SYS/'))
    return topicMatches('$SYS/broker/connection/+/state', topic);
  return !(topic === '$share' || topic.startsWith('$share/'));
}

function notAuthorized(ctx: AdmissionContext, identity: Identity, draft: PublishDraft): PublishRefusal {
  const who = identity.username ?? identity.clientId;
  const topic = draft.topic;
  return refuse(
    ctx,
    identity,
    draft,
    'not_authorized',
    ReasonCode.NotAuthorized,
    `'${who}' may not publish to '${topic}'`,
  );
}

/** Reports the dropped message; a denial is logged at info (an operator looks for those), the rest at debug. */
function refuse(
  ctx: AdmissionContext,
  identity: Identity,
  draft: PublishDraft,
  cause: AdmissionDrop,
  reasonCode: number,
  reason: string,
): PublishRefusal {
  const { topic, payload, qos, retain, properties } = draft;
  ctx.dropped(identity.clientId, { topic, payload, qos, retain, properties }, cause);
  const fields = { clientId: identity.clientId, topic, why: reason };
  if (cause === 'not_authorized') ctx.log.info(fields, 'publish denied');
  else ctx.log.debug(fields, `publish refused: ${cause}`);
  return new PublishRefusal(cause, reasonCode, reason);
}

function intercept(
  ctx: AdmissionContext,
  identity: Identity,
  draft: PublishDraft,
): Admission | Promise<Admission> {
  const message: Message = {
    topic: draft.topic,
    payload: draft.payload,
    qos: draft.qos,
    retain: draft.retain,
    properties: forwardable(draft.properties),
    origin: identity.clientId,
    receivedAt: Date.now(),
  };
  return ctx.hooks.interceptsPublish ? interceptAsync(ctx, identity, message) : message;
}

/** onPublish interceptors may rewrite the message or refuse it with a reason code (0x99 for a bad envelope). */
async function interceptAsync(
  ctx: AdmissionContext,
  identity: Identity,
  message: Message,
): Promise<Admission> {
  const outcome = await ctx.hooks.publish({ client: identity, message });
  if (!outcome.ok) {
    return refuse(ctx, identity, message, 'rejected_by_hook', outcome.reasonCode, outcome.reason);
  }
  const changed = outcome.value;
  if (changed === message) return message;
  const { topic, payload, qos, retain, properties } = changed;
  return { topic, payload, qos, retain, properties, origin: message.origin, receivedAt: message.receivedAt };
}

/** Properties travel to subscribers except the per-hop ones (topic alias, subscription identifiers). */
function forwardable(properties: Properties | undefined): Properties | undefined {
  if (properties === undefined) return undefined;
  if (properties.topicAlias === undefined && properties.subscriptionIdentifiers === undefined)
    return properties;
  const { topicAlias: _alias, subscriptionIdentifiers: _ids, ...rest } = properties;
  return rest;
}

// Publish admission: the one place that judges whether a message may be routed, for MQTT clients
// (handlers/publish.ts) and in-process publishers (control/publish.ts, the HTTP API) alike, so the two can
// never be judged differently. Callers turn a refusal into their own answer (an ack reason code, a
// DISCONNECT, an HTTP status); what is judged, counted and logged is decided here.
import { isUtf8 } from 'node:buffer';
import type { Properties, QoS } from '../protocol/types.js';
import { ReasonCode } from '../protocol/reason-codes.js';
import { isValidTopicName } from '../topic/validate.js';
import { topicMatches } from '../topic/match.js';
import type { AuthChecks, HookRunner, Identity, Logger, Message, BrokerStats } from './context.js';

/** A message as a publisher offers it, before it is judged. */
export interface PublishDraft {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly properties?: Properties;
}

/** Why a publish was refused; also the drop reason counted for the refusals that drop a message. */
export type RefusalCause =
  | 'bad_topic'
  | 'bad_response_topic'
  | 'bad_qos'
  | 'retain_unavailable'
  | 'bad_payload_format'
  | 'too_large'
  | 'not_authorized'
  | 'rejected_by_hook';

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
      topic,
      new PublishRefusal('bad_payload_format', ReasonCode.PayloadFormatInvalid, 'payload is not UTF-8'),
    );
  }
  const limit = settings.messageSizeLimit;
  if (limit > 0 && payload.length > limit) {
    return refuse(
      ctx,
      identity,
      topic,
      new PublishRefusal(
        'too_large',
        ReasonCode.PacketTooLarge,
        `payload exceeds message_size_limit (${limit} bytes)`,
      ),
    );
  }
  if (!mayWriteDollarTopic(topic)) return notAuthorized(ctx, identity, topic);
  const decision = ctx.auth.authorizePublish(identity, topic, qos, draft.retain);
  if (decision === 'allow') return intercept(ctx, identity, draft);
  if (decision === 'deny' || decision === 'defer') return notAuthorized(ctx, identity, topic);
  return decision.then((answer) =>
    answer === 'allow' ? intercept(ctx, identity, draft) : notAuthorized(ctx, identity, topic),
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

function notAuthorized(ctx: AdmissionContext, identity: Identity, topic: string): PublishRefusal {
  const who = identity.username ?? identity.clientId;
  return refuse(
    ctx,
    identity,
    topic,
    new PublishRefusal('not_authorized', ReasonCode.NotAuthorized, `'${who}' may not publish to '${topic}'`),
  );
}

/** Counts the dropped message by cause; a denial is logged at info (an operator looks for those), the rest at debug. */
function refuse(
  ctx: AdmissionContext,
  identity: Identity,
  topic: string,
  refusal: PublishRefusal,
): PublishRefusal {
  ctx.stats.drop(refusal.cause);
  const fields = { clientId: identity.clientId, topic, why: refusal.reason };
  if (refusal.cause === 'not_authorized') ctx.log.info(fields, 'publish denied');
  else ctx.log.debug(fields, `publish refused: ${refusal.cause}`);
  return refusal;
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
    return refuse(
      ctx,
      identity,
      message.topic,
      new PublishRefusal('rejected_by_hook', outcome.reasonCode, outcome.reason),
    );
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

import { isValidTopicName } from '../topic/validate.js';
import type { AuthChecks, Identity } from '../auth/types.js';
import type { HookRunner } from '../hooks/runner.js';
import type { HookMessage } from '../hooks/types.js';
import type { Message, RouteResult } from '../router/types.js';
import type { BrokerStats } from '../sys/stats.js';
import { ControlError } from './types.js';
import type { PublishRequest, PublishResult } from './types.js';

export interface PublishDeps {
  auth: AuthChecks;
  hooks: HookRunner;
  stats: BrokerStats;
  messageSizeLimit: number;
  retainAvailable: boolean;
  /** Routes the message (session/delivery.ts); the result counts who got it now and which sessions queued it. */
  route(message: Message): RouteResult;
}

interface Waiter {
  clientId: string;
  done(acknowledged: boolean): void;
}

/**
 * Publishing for an in-process identity (the HTTP API): the checks of handlers/publish.ts — topic, size,
 * retain, the publish ACL, onPublish interceptors — then the router. Optionally waits for one client's ack.
 */
export class ControlPublisher {
  readonly #deps: PublishDeps;
  readonly #waiting = new Map<Message, Waiter[]>();
  #unhook: (() => void) | undefined;

  constructor(deps: PublishDeps) {
    this.#deps = deps;
  }

  async publish(request: PublishRequest, identity: Identity): Promise<PublishResult> {
    const { auth, hooks, stats } = this.#deps;
    const { topic, payload, qos, retain } = request;
    if (!isValidTopicName(topic) || topic.startsWith('$SYS')) {
      throw new ControlError(
        'MIDGE_API_BAD_TOPIC',
        `'${topic}' is not a topic name a client may publish to`,
        400,
      );
    }
    if (qos !== 0 && qos !== 1 && qos !== 2)
      throw new ControlError('MIDGE_API_BAD_QOS', 'qos must be 0, 1 or 2', 400);
    if (retain && !this.#deps.retainAvailable) {
      throw new ControlError(
        'MIDGE_API_RETAIN_UNAVAILABLE',
        'retain is not available (retain_available false)',
        400,
      );
    }
    const limit = this.#deps.messageSizeLimit;
    if (limit > 0 && payload.length > limit) {
      throw new ControlError(
        'MIDGE_API_TOO_LARGE',
        `payload exceeds message_size_limit (${limit} bytes)`,
        413,
      );
    }
    if ((await auth.authorizePublish(identity, topic, qos, retain)) !== 'allow') {
      stats.drop('not_authorized');
      throw new ControlError(
        'MIDGE_API_NOT_AUTHORIZED',
        `'${identity.username ?? identity.clientId}' may not publish to '${topic}'`,
        403,
        0x87,
      );
    }
    let hookMessage: HookMessage = { topic, payload, qos, retain, properties: request.properties };
    if (hooks.interceptsPublish) {
      const outcome = await hooks.publish({ client: identity, message: hookMessage });
      if (!outcome.ok) {
        stats.drop('rejected_by_hook');
        throw new ControlError('MIDGE_API_REJECTED', outcome.reason, 422, outcome.reasonCode);
      }
      hookMessage = outcome.value;
    }
    const message: Message = { ...hookMessage, origin: identity.clientId, receivedAt: Date.now() };
    stats.publishReceived++;
    stats.receivedByQos[message.qos]++;
    stats.publishBytesReceived += message.payload.length;
    const wait =
      request.waitFor !== undefined && message.qos > 0 ? this.#wait(message, request.waitFor) : undefined;
    const started = performance.now();
    const routed = this.#deps.route(message);
    const counts = { delivered: routed.online, queued: routed.queued };
    stats.observeLatency((performance.now() - started) / 1000);
    if (hooks.observing.onPublished) {
      hooks.emit('onPublished', { client: identity, message, delivered: counts.delivered, source: 'api' });
    }
    if (wait === undefined) return counts;
    return { ...counts, acknowledged: await wait };
  }

  /**
   * The waiters of the publish `delivered` is, or is a copy of: a session that keeps a message (queued,
   * stored) delivers its own copy, which the published message names as `owned` (session/journal.ts).
   */
  #waitersOf(delivered: Message): Waiter[] | undefined {
    const direct = this.#waiting.get(delivered);
    if (direct !== undefined) return direct;
    for (const [published, waiters] of this.#waiting) if (published.owned === delivered) return waiters;
    return undefined;
  }

  #wait(message: Message, waitFor: { clientId: string; timeoutMs: number }): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(false), waitFor.timeoutMs);
      const waiter: Waiter = { clientId: waitFor.clientId, done: (ok) => finish(ok) };
      const finish = (acknowledged: boolean): void => {
        clearTimeout(timer);
        const list = this.#waiting.get(message);
        const index = list?.indexOf(waiter) ?? -1;
        if (list !== undefined && index >= 0) list.splice(index, 1);
        if (list?.length === 0) this.#waiting.delete(message);
        if (this.#waiting.size === 0) {
          this.#unhook?.();
          this.#unhook = undefined;
        }
        resolve(acknowledged);
      };
      const list = this.#waiting.get(message);
      if (list === undefined) this.#waiting.set(message, [waiter]);
      else list.push(waiter);
      this.#unhook ??= this.#deps.hooks.add({
        name: 'api-wait',
        onDelivered: (event) => {
          const waiters = this.#waitersOf(event.message as Message);
          for (const w of [...(waiters ?? [])]) if (w.clientId === event.clientId) w.done(true);
        },
      });
    });
  }
}

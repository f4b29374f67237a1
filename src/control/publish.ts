import type { Identity } from '../auth/types.js';
import {
  admitPublish,
  PublishRefusal,
  type AdmissionContext,
  type RefusalCause,
} from '../handlers/admission.js';
import type { Message, RouteResult } from '../router/types.js';
import { ControlError } from './types.js';
import type { PublishRequest, PublishResult } from './types.js';

/** Admission's needs (auth, hooks, stats, log, the engine settings) and the route every publisher takes. */
export interface PublishDeps extends AdmissionContext {
  /** Routes the message (session/delivery.ts); the result counts who got it now and which sessions queued it. */
  route(message: Message): RouteResult;
}

/** How the API answers each refusal of handlers/admission.ts: its stable code and HTTP status. */
const REFUSALS: Record<RefusalCause, { code: string; status: number }> = {
  bad_topic: { code: 'MIDGE_API_BAD_TOPIC', status: 400 },
  bad_response_topic: { code: 'MIDGE_API_BAD_RESPONSE_TOPIC', status: 400 },
  bad_qos: { code: 'MIDGE_API_BAD_QOS', status: 400 },
  retain_unavailable: { code: 'MIDGE_API_RETAIN_UNAVAILABLE', status: 400 },
  bad_payload_format: { code: 'MIDGE_API_BAD_PAYLOAD_FORMAT', status: 400 },
  too_large: { code: 'MIDGE_API_TOO_LARGE', status: 413 },
  not_authorized: { code: 'MIDGE_API_NOT_AUTHORIZED', status: 403 },
  rejected_by_hook: { code: 'MIDGE_API_REJECTED', status: 422 },
};

interface Waiter {
  clientId: string;
  done(acknowledged: boolean): void;
}

/**
 * Publishing for an in-process identity (the HTTP API): the admission of an MQTT PUBLISH, then the route every
 * publisher takes. Optionally waits for one client's ack.
 */
export class ControlPublisher {
  readonly #deps: PublishDeps;
  readonly #waiting = new Map<Message, Waiter[]>();
  #unhook: (() => void) | undefined;

  constructor(deps: PublishDeps) {
    this.#deps = deps;
  }

  /**
   * Judged by the same admission as an MQTT PUBLISH (handlers/admission.ts): topic, QoS, retain, payload format,
   * size, the $SYS rule, the publish ACL and onPublish interceptors, with the same counters.
   */
  async publish(request: PublishRequest, identity: Identity): Promise<PublishResult> {
    const deps = this.#deps;
    const { hooks, stats } = deps;
    const admission = await admitPublish(deps, identity, request);
    if (admission instanceof PublishRefusal) {
      const { code, status } = REFUSALS[admission.cause];
      throw new ControlError(code, admission.reason, status, admission.reasonCode);
    }
    const message = admission;
    const wait =
      request.waitFor !== undefined && message.qos > 0 ? this.#wait(message, request.waitFor) : undefined;
    const started = performance.now();
    const routed = deps.route(message);
    stats.observeLatency((performance.now() - started) / 1000);
    const counts = { delivered: routed.online, queued: routed.queued };
    if (hooks.observing.onPublished) {
      // `delivered` counts every subscriber handed a copy, queued ones too, as for an MQTT PUBLISH.
      hooks.emit('onPublished', { client: identity, message, delivered: routed.matched, source: 'api' });
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

// Webhooks registered at runtime through the control surface (POST /api/v1/webhooks): kept in memory, gone
// after a restart (configure lasting ones with `webhook URL` in midge.conf). Per message_type routing is a
// topic filter on the envelope copies: message type "ping" is `$envelope/ping/#`.
import { randomUUID } from 'node:crypto';
import type { HookRunner } from '../hooks/runner.js';
import { MESSAGE_TYPE } from '../hooks/envelope.js';
import { WEBHOOK_EVENTS, WebhookSender } from '../hooks/webhooks.js';
import type { BrokerStats } from '../sys/stats.js';
import { isValidTopicFilter } from '../topic/validate.js';
import { ControlError, type WebhookInfo, type WebhookRegistration } from './types.js';

/** Runtime webhooks are admin-made but still bounded: each one holds a queue and a sender. */
const MAX_WEBHOOKS = 100;

interface Entry {
  info: Omit<WebhookInfo, 'queued'>;
  sender: WebhookSender;
  remove(): void;
}

export class WebhookRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #hooks: HookRunner;
  readonly #stats: BrokerStats;
  readonly #warn: ((message: string) => void) | undefined;

  constructor(hooks: HookRunner, stats: BrokerStats, warn?: (message: string) => void) {
    this.#hooks = hooks;
    this.#stats = stats;
    this.#warn = warn;
  }

  add(registration: WebhookRegistration): WebhookInfo {
    const bad = (message: string): ControlError => new ControlError('MIDGE_API_BAD_WEBHOOK', message, 400);
    if (!/^https?:\/\/\S+$/.test(registration.url)) throw bad('url must be an http:// or https:// URL');
    const events = registration.events ?? [];
    const unknown = events.find((e) => !(WEBHOOK_EVENTS as readonly string[]).includes(e));
    if (unknown !== undefined) throw bad(`unknown event '${unknown}' (known: ${WEBHOOK_EVENTS.join(', ')})`);
    const filters = registration.topics ?? [];
    const badFilter = filters.find((f) => !isValidTopicFilter(f));
    if (badFilter !== undefined) throw bad(`'${badFilter}' is not a topic filter`);
    const types = registration.messageTypes ?? [];
    const badType = types.find((t) => !MESSAGE_TYPE.test(t));
    if (badType !== undefined) throw bad(`'${badType}' is not a message_type`);
    if (this.#entries.size >= MAX_WEBHOOKS) {
      throw new ControlError('MIDGE_API_TOO_MANY_WEBHOOKS', `at most ${MAX_WEBHOOKS} webhooks`, 409);
    }
    const topics = [...filters, ...types.map((t) => `$envelope/${t}/#`)];
    const sender = new WebhookSender(
      { url: registration.url, secret: registration.secret, events, topics },
      {
        count: (reason) =>
          this.#stats.count('midge_webhook_failures_total', 'Webhook send failures, by kind', reason),
        warn: this.#warn,
      },
    );
    const id = randomUUID();
    const info = {
      id,
      url: registration.url,
      events: events.length === 0 ? [...WEBHOOK_EVENTS] : events,
      topics,
      signed: registration.secret !== undefined,
      createdAt: new Date().toISOString(),
    };
    this.#entries.set(id, { info, sender, remove: this.#hooks.add(sender) });
    return { ...info, queued: 0 };
  }

  list(): WebhookInfo[] {
    return [...this.#entries.values()].map((e) => ({ ...e.info, queued: e.sender.queued }));
  }

  remove(id: string): boolean {
    const entry = this.#entries.get(id);
    if (entry === undefined) return false;
    this.#entries.delete(id);
    entry.remove();
    entry.sender.close();
    return true;
  }
}

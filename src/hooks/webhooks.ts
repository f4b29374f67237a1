// Webhooks: broker events POSTed as JSON to a configured URL, signed with HMAC-SHA256, from a bounded queue
// drained in the background with retries and backoff, so a slow receiver never slows the broker.
import { createHmac, randomUUID } from 'node:crypto';
import type { WebhookConfig } from '../config/schema.js';
import { BROKER_EVENTS, eventObservers, type BrokerEvent } from './event-observers.js';
import type { BrokerHooks } from './types.js';

export const WEBHOOK_EVENTS = BROKER_EVENTS;
export type WebhookEvent = BrokerEvent;

export interface WebhookOptions {
  /** Events waiting to be sent; past this the oldest is dropped. */
  maxQueue?: number;
  /** Attempts per event, the first included. */
  maxAttempts?: number;
  /** First retry delay; doubles with every attempt. */
  backoffMs?: number;
  timeoutMs?: number;
  /** Counts failures (metrics): 'retry', 'gave_up', 'queue_full'. */
  count?: (reason: string) => void;
  warn?: (message: string) => void;
}

interface Pending {
  body: string;
  event: WebhookEvent;
  id: string;
  attempts: number;
}

export class WebhookSender implements BrokerHooks {
  readonly name: string;
  readonly #config: WebhookConfig;
  readonly #options: Required<Omit<WebhookOptions, 'count' | 'warn'>> & WebhookOptions;
  readonly #queue: Pending[] = [];
  #running = false;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  #wake: (() => void) | undefined;

  constructor(config: WebhookConfig, options: WebhookOptions = {}) {
    this.name = `webhook ${config.url}`;
    this.#config = config;
    this.#options = { maxQueue: 10_000, maxAttempts: 6, backoffMs: 500, timeoutMs: 5000, ...options };
    Object.assign(
      this,
      eventObservers(config, (event, data) => this.#enqueue(event, data)),
    );
  }

  // Set in the constructor for the configured events only (event-observers.ts).
  onConnected?: BrokerHooks['onConnected'];
  onDisconnected?: BrokerHooks['onDisconnected'];
  onSubscribed?: BrokerHooks['onSubscribed'];
  onUnsubscribed?: BrokerHooks['onUnsubscribed'];
  onPublished?: BrokerHooks['onPublished'];
  onDelivered?: BrokerHooks['onDelivered'];
  onDropped?: BrokerHooks['onDropped'];
  onAuthFailed?: BrokerHooks['onAuthFailed'];

  #enqueue(event: WebhookEvent, data: object): void {
    if (this.#closed) return;
    const id = randomUUID();
    const body = JSON.stringify({ id, event, time: new Date().toISOString(), ...data });
    this.#queue.push({ body, event, id, attempts: 0 });
    if (this.#queue.length > this.#options.maxQueue) {
      this.#queue.shift();
      this.#options.count?.('queue_full');
    }
    if (!this.#running) void this.#drain();
  }

  /** One request at a time, in order; a failing event is retried with backoff before the next one goes. */
  async #drain(): Promise<void> {
    this.#running = true;
    while (!this.#closed && this.#queue.length > 0) {
      const next = this.#queue[0] as Pending;
      next.attempts++;
      if (await this.#send(next)) {
        this.#queue.shift();
        continue;
      }
      if (next.attempts >= this.#options.maxAttempts) {
        this.#queue.shift();
        this.#options.count?.('gave_up');
        this.#options.warn?.(
          `webhook ${this.#config.url}: gave up on ${next.event} ${next.id} after ${next.attempts} attempts`,
        );
        continue;
      }
      this.#options.count?.('retry');
      await this.#sleep(this.#options.backoffMs * 2 ** (next.attempts - 1));
    }
    this.#running = false;
  }

  async #send(pending: Pending): Promise<boolean> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'midge-webhook',
      'x-midge-event': pending.event,
      'x-midge-delivery': pending.id,
      'x-midge-timestamp': timestamp,
    };
    const secret = this.#config.secret;
    if (secret !== undefined) {
      // Signed over "timestamp.body" so a receiver can refuse old replays as well as forgeries.
      const mac = createHmac('sha256', secret).update(`${timestamp}.${pending.body}`).digest('hex');
      headers['x-midge-signature'] = `sha256=${mac}`;
    }
    try {
      const response = await fetch(this.#config.url, {
        method: 'POST',
        headers,
        body: pending.body,
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      return response.ok;
    } catch {
      return false;
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimeout(resolve, ms);
      this.#timer.unref();
    });
  }

  /** Stops sending; what is still queued is dropped (webhooks are best effort across a stop). */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#wake?.();
  }

  get queued(): number {
    return this.#queue.length;
  }
}

import type {
  BrokerHooks,
  ConnectEvent,
  HookMessage,
  ObserverEvent,
  ObserverName,
  PublishEvent,
  SubscribeEvent,
  Verdict,
} from './types.js';
import type { QoS } from '../protocol/types.js';

const OBSERVERS: readonly ObserverName[] = [
  'onConnected',
  'onDisconnected',
  'onSubscribed',
  'onUnsubscribed',
  'onPublished',
  'onDelivered',
  'onDropped',
  'onAuthFailed',
];

interface HookLog {
  warn(details: object, message: string): void;
}

/** The interceptor outcome the engine acts on. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; reasonCode: number; reason: string };

/**
 * Runs the registered BrokerHooks. The engine reads the boolean flags before building an event, so with no
 * hooks registered the hot path pays one property read and allocates nothing.
 */
export class HookRunner {
  readonly #hooks: BrokerHooks[] = [];
  readonly #log: HookLog;
  /** True per observer name when at least one hook implements it. */
  readonly observing: Record<ObserverName, boolean> = Object.fromEntries(
    OBSERVERS.map((name) => [name, false]),
  ) as Record<ObserverName, boolean>;
  interceptsConnect = false;
  interceptsPublish = false;
  interceptsSubscribe = false;
  /** Told after hooks are added or removed (the broker re-wires its session observer). */
  onChange: (() => void) | undefined;

  constructor(log: HookLog) {
    this.#log = log;
  }

  /** Registers hooks; the returned function removes them again. */
  add(hooks: BrokerHooks): () => void {
    this.#hooks.push(hooks);
    this.#refresh();
    return () => {
      const index = this.#hooks.indexOf(hooks);
      if (index >= 0) this.#hooks.splice(index, 1);
      this.#refresh();
    };
  }

  #refresh(): void {
    for (const name of OBSERVERS) this.observing[name] = this.#hooks.some((h) => h[name] !== undefined);
    this.interceptsConnect = this.#hooks.some((h) => h.onConnect !== undefined);
    this.interceptsPublish = this.#hooks.some((h) => h.onPublish !== undefined);
    this.interceptsSubscribe = this.#hooks.some((h) => h.onSubscribe !== undefined);
    this.onChange?.();
  }

  /** Calls every observer of `name`; a throwing or rejecting observer is logged and otherwise ignored. */
  emit<K extends ObserverName>(name: K, event: ObserverEvent<K>): void {
    for (const hooks of this.#hooks) {
      const observer = hooks[name] as ((e: ObserverEvent<K>) => unknown) | undefined;
      if (observer === undefined) continue;
      try {
        const result = observer.call(hooks, event);
        if (result instanceof Promise) result.catch((error: unknown) => this.#failed(hooks, name, error));
      } catch (error) {
        this.#failed(hooks, name, error);
      }
    }
  }

  #failed(hooks: BrokerHooks, name: string, error: unknown): void {
    this.#log.warn({ err: error, hook: hooks.name ?? 'anonymous', event: name }, 'hook observer failed');
  }

  async connect(event: ConnectEvent): Promise<Outcome<undefined>> {
    for (const hooks of this.#hooks) {
      if (hooks.onConnect === undefined) continue;
      const verdict = await this.#ask(hooks, () => hooks.onConnect?.(event));
      if (verdict !== undefined && 'reject' in verdict) return rejected(verdict);
    }
    return { ok: true, value: undefined };
  }

  /** Each interceptor sees the message as the previous one left it. */
  async publish(event: PublishEvent): Promise<Outcome<HookMessage>> {
    let message = event.message;
    for (const hooks of this.#hooks) {
      if (hooks.onPublish === undefined) continue;
      const current = { client: event.client, message };
      const verdict = await this.#ask(hooks, () => hooks.onPublish?.(current));
      if (verdict === undefined) continue;
      if ('reject' in verdict) return rejected(verdict);
      message = verdict.modify;
    }
    return { ok: true, value: message };
  }

  async subscribe(event: SubscribeEvent): Promise<Outcome<QoS>> {
    let qos = event.qos;
    for (const hooks of this.#hooks) {
      if (hooks.onSubscribe === undefined) continue;
      const current = { ...event, qos };
      const verdict = await this.#ask(hooks, () => hooks.onSubscribe?.(current));
      if (verdict === undefined) continue;
      if ('reject' in verdict) return rejected(verdict);
      qos = verdict.modify.qos;
    }
    return { ok: true, value: qos };
  }

  /** An interceptor that throws rejects the packet (0x80): failing closed is the safe side for a gate. */
  async #ask<T>(hooks: BrokerHooks, call: () => Verdict<T> | Promise<Verdict<T>>): Promise<Verdict<T>> {
    try {
      return await call();
    } catch (error) {
      this.#failed(hooks, 'interceptor', error);
      return { reject: 0x80, reason: 'hook failed' };
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.#hooks.map((h) => h.close?.()));
  }
}

function rejected(verdict: { reject: number; reason?: string }): Outcome<never> {
  return { ok: false, reasonCode: verdict.reject, reason: verdict.reason ?? 'rejected by a hook' };
}

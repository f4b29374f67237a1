// Delivery: where the router's matches become session deliveries. Every publisher (MQTT clients, the HTTP API,
// wills, $SYS, envelope copies) routes through MessageDelivery.route, which says what happened in its result.
import type { Identity } from '../auth/types.js';
import type { RetainedStore } from '../store/types.js';
import { Router } from '../router/router.js';
import type { DeliverySink, Grant, Message, RemoteFanout, RouteResult } from '../router/types.js';
import type { SessionRegistry } from './registry.js';

export interface DeliveryOptions {
  readonly sessions: SessionRegistry;
  /** The retained store the router writes through (persistence swaps the store behind it at start). */
  readonly retained: RetainedStore;
  /**
   * The READ ACL; absent when no ACL is configured, so delivery then pays no check. [mosquitto] READ is checked
   * for every delivered message, so a wildcard subscription can't read past it.
   */
  readonly authorizeRead?: (who: Identity, topic: string) => boolean;
}

/**
 * Owns the Router and is its DeliverySink: each matched subscriber's grant goes to that subscriber's Session.
 * `route()` returns what happened (matched, online, queued, other nodes, a subscriber to hold the publisher
 * back on), so no per-route state is kept anywhere. The only other node-aware piece is `remote`, the seam a
 * cluster bus plugs into (RemoteFanout in router/types.ts).
 */
export class MessageDelivery implements DeliverySink {
  readonly router: Router;
  readonly #sessions: SessionRegistry;
  /** Subscribers on other nodes; undefined on a single node. */
  remote: RemoteFanout | undefined;
  readonly mayRead?: (subscriberKey: string, topic: string) => boolean;

  constructor(options: DeliveryOptions) {
    this.#sessions = options.sessions;
    const authorizeRead = options.authorizeRead;
    if (authorizeRead !== undefined) {
      this.mayRead = (subscriberKey, topic) => {
        const identity = this.#sessions.get(subscriberKey)?.identity;
        return identity !== undefined && authorizeRead(identity, topic);
      };
    }
    this.router = new Router(this, options.retained);
  }

  /** A message published on this node: local subscribers, then every other node with a match. */
  route(message: Message): RouteResult {
    const result = this.router.route(message);
    const remote = this.remote;
    if (remote !== undefined) result.remoteNodes = remote.collect(message);
    return result;
  }

  /** A message another node forwarded here: local subscribers only, so it is never forwarded again. */
  routeLocally(message: Message): RouteResult {
    return this.router.route(message);
  }

  deliver(subscriberKey: string, message: Message, grant: Grant, result: RouteResult): void {
    const session = this.#sessions.get(subscriberKey);
    if (session === undefined) return;
    if (session.online) result.online++;
    else result.queued++;
    session.deliver({
      message,
      qos: grant.qos,
      retain: grant.retain,
      subscriptionIds: grant.subscriptionIds,
      sharedGroup: grant.sharedGroup,
    });
    // A publisher never waits for its own session: it could not read the acknowledgements that shorten it.
    if (
      grant.qos > 0 &&
      result.holder === undefined &&
      session.holdsBack &&
      subscriberKey !== message.origin
    ) {
      result.holder = session;
    }
  }

  online(subscriberKey: string): boolean {
    return this.#sessions.get(subscriberKey)?.online ?? false;
  }
}

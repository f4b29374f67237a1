import type { Logger } from 'pino';
import type {
  Access,
  AuthChecks,
  AuthProvider,
  AuthResult,
  Credentials,
  Decision,
  EnhancedAuthConversation,
  ExplainQuery,
  Explanation,
  Identity,
} from './types.js';

export interface AuthChainOptions {
  /** Anonymous clients (no username) pass authentication when every provider defers. */
  allowAnonymous: boolean;
  /** Denials are logged here with the rule that decided them. */
  log?: Logger;
  /** Counts answers for metrics: provider name ('chain' for the fallback), check, decision. */
  record?: (provider: string, check: string, decision: Decision) => void;
}

/**
 * The ordered provider chain: the first answer that is not 'defer' decides; when all defer, deny
 * (mosquitto's rule). With no providers, authentication is the anonymous policy and every ACL allows.
 */
export class AuthChain implements AuthChecks {
  readonly #providers: readonly AuthProvider[];
  readonly #options: AuthChainOptions;
  /** False when no provider checks topics: every ACL question is 'allow' without a call. */
  readonly hasAcl: boolean;

  constructor(providers: readonly AuthProvider[], options: AuthChainOptions) {
    this.#providers = providers;
    this.#options = options;
    this.hasAcl = providers.some((p) => p.authorizePublish || p.authorizeSubscribe || p.authorizeRead);
  }

  async authenticate(credentials: Credentials): Promise<AuthResult> {
    const result = await this.#authenticate(credentials);
    // Load the client's rules now, so its first delivered message finds them (the read check is synchronous).
    if (result.decision === 'allow' && result.superuser !== true) await this.prepare(credentials);
    return result;
  }

  async #authenticate(credentials: Credentials): Promise<AuthResult> {
    for (const provider of this.#providers) {
      const result = await provider.authenticate(credentials);
      if (result.decision === 'defer') continue;
      if (result.decision === 'deny') this.#logRefusal(credentials, `refused by ${provider.name}`);
      this.#options.record?.(provider.name, 'authenticate', result.decision);
      return result;
    }
    const anonymous = credentials.username === undefined;
    const allowed =
      (anonymous && this.#options.allowAnonymous) ||
      // No password store configured: like mosquitto, a username alone does not refuse the client.
      (this.#providers.length === 0 && !anonymous && this.#options.allowAnonymous);
    this.#options.record?.('chain', 'authenticate', allowed ? 'allow' : 'deny');
    if (allowed) return { decision: 'allow' };
    this.#logRefusal(
      credentials,
      anonymous ? 'anonymous clients are not allowed' : 'no provider knows this user',
    );
    return { decision: 'deny', reasonCode: anonymous ? 0x87 : 0x86 };
  }

  authorizePublish(who: Identity, topic: string, qos: number, retain: boolean): Decision | Promise<Decision> {
    if (who.superuser || !this.hasAcl) return 'allow';
    return this.#ask(who, topic, 'write', (p) => p.authorizePublish?.(who, topic, qos, retain));
  }

  authorizeSubscribe(who: Identity, filter: string, qos: number): Decision | Promise<Decision> {
    if (who.superuser || !this.hasAcl) return 'allow';
    return this.#ask(who, filter, 'subscribe', (p) => p.authorizeSubscribe?.(who, filter, qos));
  }

  authorizeRead(who: Identity, topic: string): boolean {
    if (who.superuser || !this.hasAcl) return true;
    for (const provider of this.#providers) {
      const decision = provider.authorizeRead?.(who, topic) ?? 'defer';
      if (decision === 'allow') return true;
      if (decision === 'deny') {
        // Only denials are counted on the delivery path: allows are the hot case.
        this.#options.record?.(provider.name, 'read', 'deny');
        return false;
      }
    }
    this.#options.record?.('chain', 'read', 'deny');
    return false;
  }

  async start(): Promise<void> {
    for (const provider of this.#providers) await provider.start?.();
  }

  async prepare(who: Identity): Promise<void> {
    if (who.superuser || !this.hasAcl) return;
    await Promise.all(this.#providers.map((p) => p.prepare?.(who)));
  }

  /** The first provider whose answer is not 'defer' decides, exactly as the authorize methods do. */
  async explain(query: ExplainQuery): Promise<Explanation> {
    if (!this.hasAcl) return { decision: 'allow', provider: 'chain', reason: 'no provider checks topics' };
    for (const provider of this.#providers) {
      const answer = await explainBy(provider, query);
      if (answer !== undefined && answer.decision !== 'defer') return answer;
    }
    return {
      decision: 'deny',
      provider: 'chain',
      reason: 'no provider granted it (every provider deferred)',
    };
  }

  startEnhancedAuth(method: string, who: Identity): EnhancedAuthConversation | undefined {
    for (const provider of this.#providers) {
      const conversation = provider.startEnhancedAuth?.(method, who);
      if (conversation !== undefined) return conversation;
    }
    return undefined;
  }

  async close(): Promise<void> {
    await Promise.all(this.#providers.map((p) => p.close?.()));
  }

  async #ask(
    who: Identity,
    topic: string,
    access: Access,
    question: (p: AuthProvider) => Decision | Promise<Decision> | undefined,
  ): Promise<Decision> {
    for (const provider of this.#providers) {
      const decision = (await question(provider)) ?? 'defer';
      if (decision === 'defer') continue;
      this.#options.record?.(provider.name, access, decision);
      if (decision === 'allow') return decision;
      this.#logDenial(who, topic, access);
      return 'deny';
    }
    this.#options.record?.('chain', access, 'deny');
    this.#logDenial(who, topic, access);
    return 'deny';
  }

  #logDenial(who: Identity, topic: string, access: Access): void {
    const log = this.#options.log;
    if (log === undefined) return;
    const query = { username: who.username, clientId: who.clientId, topic, access };
    this.explain(query).then(
      (why) => log.info({ ...query, ...why }, `MIDGE_AUTH_DENIED ${access} '${topic}': ${why.reason}`),
      (error: unknown) => log.info({ ...query, err: error }, `MIDGE_AUTH_DENIED ${access} '${topic}'`),
    );
  }

  #logRefusal(who: Credentials, reason: string): void {
    this.#options.log?.info(
      { clientId: who.clientId, username: who.username, remoteAddress: who.remoteAddress },
      `MIDGE_AUTH_REFUSED connection: ${reason}`,
    );
  }
}

const PROBE: Omit<Identity, 'clientId' | 'username'> = { remoteAddress: 'explain', listenerId: 'explain' };

/** A provider's explanation, or one made from its authorize answer when it has no explain of its own. */
async function explainBy(provider: AuthProvider, query: ExplainQuery): Promise<Explanation | undefined> {
  if (provider.explain !== undefined) return provider.explain(query);
  const who: Identity = { ...PROBE, clientId: query.clientId, username: query.username };
  let decision: Decision | undefined;
  if (query.access === 'write') decision = await provider.authorizePublish?.(who, query.topic, 0, false);
  else if (query.access === 'subscribe') decision = await provider.authorizeSubscribe?.(who, query.topic, 0);
  else decision = provider.authorizeRead?.(who, query.topic);
  if (decision === undefined) return undefined;
  return { decision, provider: provider.name, reason: `${provider.name} answered ${decision}` };
}

/**
 * per_listener_settings: each listener has its own chain (its own password file, ACL and anonymous rule);
 * a client is checked by the chain of the listener it connected to.
 */
export class ListenerAuthChains implements AuthChecks {
  readonly hasAcl: boolean;
  readonly #chains: ReadonlyMap<string, AuthChain>;
  /** For a listener without its own chain: denies everything. */
  readonly #closed = new AuthChain([], { allowAnonymous: false });

  constructor(chains: ReadonlyMap<string, AuthChain>) {
    this.#chains = chains;
    this.hasAcl = [...chains.values()].some((chain) => chain.hasAcl);
  }

  #for(who: Identity): AuthChain {
    return this.#chains.get(who.listenerId) ?? this.#closed;
  }

  authenticate(credentials: Credentials): Promise<AuthResult> {
    return this.#for(credentials).authenticate(credentials);
  }

  authorizePublish(who: Identity, topic: string, qos: number, retain: boolean): Decision | Promise<Decision> {
    return this.#for(who).authorizePublish(who, topic, qos, retain);
  }

  authorizeSubscribe(who: Identity, filter: string, qos: number): Decision | Promise<Decision> {
    return this.#for(who).authorizeSubscribe(who, filter, qos);
  }

  authorizeRead(who: Identity, topic: string): boolean {
    return this.#for(who).authorizeRead(who, topic);
  }

  async start(): Promise<void> {
    for (const chain of this.#chains.values()) await chain.start();
  }

  prepare(who: Identity): Promise<void> {
    return this.#for(who).prepare(who);
  }

  explain(query: ExplainQuery, listenerId?: string): Promise<Explanation> {
    const chain =
      listenerId === undefined ? this.#chains.values().next().value : this.#chains.get(listenerId);
    return (chain ?? this.#closed).explain(query);
  }

  startEnhancedAuth(method: string, who: Identity): EnhancedAuthConversation | undefined {
    return this.#for(who).startEnhancedAuth(method, who);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#chains.values()].map((chain) => chain.close()));
  }
}

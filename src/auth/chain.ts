import type { AuthChecks, AuthProvider, AuthResult, Credentials, Decision, Identity } from './types.js';

export interface AuthChainOptions {
  /** Anonymous clients (no username) pass authentication when every provider defers. */
  allowAnonymous: boolean;
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
    for (const provider of this.#providers) {
      const result = await provider.authenticate(credentials);
      if (result.decision !== 'defer') return result;
    }
    const anonymous = credentials.username === undefined;
    if (anonymous && this.#options.allowAnonymous) return { decision: 'allow' };
    if (this.#providers.length === 0 && !anonymous && this.#options.allowAnonymous) {
      // No password store configured: like mosquitto, a username alone does not refuse the client.
      return { decision: 'allow' };
    }
    return { decision: 'deny', reasonCode: anonymous ? 0x87 : 0x86 };
  }

  authorizePublish(who: Identity, topic: string, qos: number, retain: boolean): Decision | Promise<Decision> {
    if (who.superuser || !this.hasAcl) return 'allow';
    return this.#ask((p) => p.authorizePublish?.(who, topic, qos, retain));
  }

  authorizeSubscribe(who: Identity, filter: string, qos: number): Decision | Promise<Decision> {
    if (who.superuser || !this.hasAcl) return 'allow';
    return this.#ask((p) => p.authorizeSubscribe?.(who, filter, qos));
  }

  authorizeRead(who: Identity, topic: string): boolean {
    if (who.superuser || !this.hasAcl) return true;
    for (const provider of this.#providers) {
      const decision = provider.authorizeRead?.(who, topic) ?? 'defer';
      if (decision !== 'defer') return decision === 'allow';
    }
    return false;
  }

  async close(): Promise<void> {
    await Promise.all(this.#providers.map((p) => p.close?.()));
  }

  async #ask(question: (p: AuthProvider) => Decision | Promise<Decision> | undefined): Promise<Decision> {
    for (const provider of this.#providers) {
      const decision = (await question(provider)) ?? 'defer';
      if (decision !== 'defer') return decision;
    }
    return 'deny';
  }
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

  async close(): Promise<void> {
    await Promise.all([...this.#chains.values()].map((chain) => chain.close()));
  }
}

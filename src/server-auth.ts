// Composition of the auth chain from a Config: the providers each listener uses, and the store the CLI and
// the HTTP API change users and ACLs in. Part of the composition root (server.ts), kept apart for size.
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { resolveConfig } from './config/schema.js';
import type { Config, ConfigInput } from './config/schema.js';
import { listenerId } from './config/listener-id.js';
import { createLogger } from './observability/log.js';
import { AuthChain, ListenerAuthChains } from './auth/chain.js';
import type { AuthChecks, AuthProvider, AuthStoreAdmin, ExplainQuery, Explanation } from './auth/types.js';
import { createFileProvider } from './auth/providers/file.js';
import {
  backendNames,
  createBackendProvider,
  createSqliteProvider,
  sqlitePath,
  type BackendSettings,
} from './auth/providers/backends.js';
import { openSqliteStore } from './auth/providers/sqlite-store.js';
import { AuthStoreError } from './auth/store-error.js';
import type { RwConvention } from './auth/acl-grants.js';
import type { BrokerStats } from './sys/stats.js';

function authSettings(config: Config, log?: Logger): BackendSettings {
  return { options: config.authOptions, persistenceLocation: config.persistenceLocation, log };
}

/** password_file, acl_file, auth_plugin or any auth_opt_*: the config chose its own auth sources. */
function hasAuthDirectives(config: Config): boolean {
  return (
    config.passwordFile !== undefined ||
    config.aclFile !== undefined ||
    config.authPlugin !== undefined ||
    Object.keys(config.authOptions).length > 0 ||
    config.listeners.some((l) => l.passwordFile !== undefined || l.aclFile !== undefined)
  );
}

/**
 * The providers every listener shares: auth_opt_backends in order, or, with no auth directives at all, the
 * embedded SQLite store — created on first start when anonymous access is off, used whenever it exists.
 */
function sharedProviders(config: Config, log: Logger): AuthProvider[] {
  const settings = authSettings(config, log);
  const backends = config.authOptions.backends;
  if (backends !== undefined) {
    const files = { passwordFile: config.passwordFile, aclFile: config.aclFile };
    return backendNames(backends).map((name) => createBackendProvider(name, settings, files));
  }
  if (config.authPlugin !== undefined) {
    log.warn(
      `auth_plugin ${config.authPlugin}: Midge has its backends built in; name them with auth_opt_backends`,
    );
  }
  if (hasAuthDirectives(config)) return [];
  const anonymous = config.allowAnonymous && config.listeners.every((l) => l.allowAnonymous !== false);
  if (anonymous && !existsSync(sqlitePath(settings).path)) return [];
  return [createSqliteProvider(settings)];
}

/** One chain from the global password_file / acl_file, or one per listener with per_listener_settings. */
export function buildAuth(config: Config, log: Logger, stats?: BrokerStats): AuthChecks {
  const record =
    stats === undefined
      ? undefined
      : (provider: string, check: string, decision: string): void =>
          stats.authDecision(provider, check, decision);
  const shared = sharedProviders(config, log);
  const filesInBackends = backendNames(config.authOptions.backends ?? '').includes('files');
  const chain = (
    passwordFile: string | undefined,
    aclFile: string | undefined,
    allowAnonymous: boolean,
  ): AuthChain => {
    const providers: AuthProvider[] = [];
    if ((passwordFile !== undefined || aclFile !== undefined) && !filesInBackends)
      providers.push(createFileProvider({ passwordFile, aclFile }));
    return new AuthChain([...providers, ...shared], { allowAnonymous, log, record });
  };
  if (!config.perListenerSettings) return chain(config.passwordFile, config.aclFile, config.allowAnonymous);
  const chains = new Map<string, AuthChain>();
  config.listeners.forEach((listener, index) => {
    chains.set(
      listenerId(index),
      chain(listener.passwordFile, listener.aclFile, listener.allowAnonymous ?? config.allowAnonymous),
    );
  });
  return new ListenerAuthChains(chains);
}

/**
 * The SQLite store the config names (auth_opt_backends with sqlite, or the embedded store when the config
 * has no auth directives), opened for `midge user|acl`. Throws MIDGE_AUTH_STORE_UNAVAILABLE when the config
 * keeps its users elsewhere (password_file, another database).
 */
export function openAuthStore(input: ConfigInput): AuthStoreAdmin {
  const config = resolveConfig(input);
  const settings = authSettings(config);
  const backends = backendNames(config.authOptions.backends ?? '');
  if (backends.includes('sqlite') || !hasAuthDirectives(config)) {
    return openSqliteStore(sqlitePath(settings).path, {
      convention: (config.authOptions.sqlite_rw_convention ?? config.authOptions.rw_convention) as
        RwConvention | undefined,
      anonymousUsername: config.authOptions.anonusername,
    });
  }
  throw new AuthStoreError(
    'MIDGE_AUTH_STORE_UNAVAILABLE',
    'this config keeps its users outside a SQLite store (password_file or auth_opt_backends without sqlite); ' +
      'change them there, or add sqlite to auth_opt_backends',
  );
}

/** Which provider and rule decide `query` under this config (`midge acl explain`), without a running broker. */
export async function explainAccess(input: ConfigInput, query: ExplainQuery): Promise<Explanation> {
  const config = resolveConfig(input);
  const auth = buildAuth(config, createLogger({ silent: true }));
  try {
    await auth.start();
    return await auth.explain(query);
  } finally {
    await auth.close();
  }
}

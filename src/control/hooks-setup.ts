// The hooks the configuration asks for: envelope mode, webhooks and `plugin` modules, registered on the runner.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import type { HookRunner } from '../hooks/runner.js';
import type { BrokerHooks, HookClient, HookMessage } from '../hooks/types.js';
import { createEnvelopeHooks } from '../hooks/envelope.js';
import { WebhookSender } from '../hooks/webhooks.js';
import type { BrokerStats } from '../sys/stats.js';

export interface HookSetupDeps {
  hooks: HookRunner;
  stats: BrokerStats;
  warn(message: string): void;
  /** Routes a broker-made message (an envelope copy) for `client`; observers see it as source 'envelope'. */
  publish(message: HookMessage, client: HookClient): void;
}

export async function registerConfiguredHooks(config: Config, deps: HookSetupDeps): Promise<void> {
  const { hooks, stats } = deps;
  const envelope = config.envelope;
  if (envelope.filters.length > 0) {
    if (
      envelope.secret === undefined &&
      envelope.jwtSecret === undefined &&
      envelope.jwtPublicKeyFile === undefined
    ) {
      deps.warn(
        'envelope mode: no envelope_secret, envelope_jwt_secret or envelope_jwt_public_key; every envelope will be refused',
      );
    }
    hooks.add(
      createEnvelopeHooks(envelope, {
        publish: deps.publish,
        rejected: (reason) =>
          stats.count('midge_envelope_rejected_total', 'Envelopes refused, by reason', reason),
      }),
    );
  }
  for (const webhook of config.webhooks) {
    hooks.add(
      new WebhookSender(webhook, {
        count: (reason) =>
          stats.count('midge_webhook_failures_total', 'Webhook send failures, by kind', reason),
        warn: deps.warn,
      }),
    );
  }
  for (const path of config.hookModules) hooks.add(await loadHookModule(path));
}

/** A plugin module's default export (or its `hooks` export): a BrokerHooks object or a function making one. */
async function loadHookModule(path: string): Promise<BrokerHooks> {
  let module: { default?: unknown; hooks?: unknown };
  try {
    module = (await import(pathToFileURL(resolve(path)).href)) as typeof module;
  } catch (error) {
    throw new Error(`MIDGE_PLUGIN_LOAD: cannot load plugin '${path}': ${(error as Error).message}`, {
      cause: error,
    });
  }
  let exported = module.default ?? module.hooks;
  if (typeof exported === 'function') exported = await (exported as () => unknown)();
  if (typeof exported !== 'object' || exported === null) {
    throw new Error(`MIDGE_PLUGIN_LOAD: plugin '${path}' must export a BrokerHooks object (default export)`);
  }
  return exported as BrokerHooks;
}

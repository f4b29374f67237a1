// The broker's side of mosquitto's logging: the default logger from the config's log section, `log_dest topic`
// publishing on $SYS/broker/log/..., connection messages, and the subscribe / unsubscribe log types. Part of
// the composition root.
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import { createLogger } from './observability/log.js';
import { loggerOptionsFor } from './observability/log-settings.js';
import type { LogTopicSink } from './observability/log-topic.js';
import { ConnectionLog } from './observability/connection-log.js';
import { categoriesOf } from './observability/log-format.js';
import type { HookRunner } from './hooks/runner.js';
import type { Message } from './router/types.js';

/** The logger createBroker makes when it is given none: everything the config's log section asks for. */
export function loggerFromConfig(config: Config): { logger: Logger; topic: LogTopicSink | undefined } {
  const { options, topic } = loggerOptionsFor(config.log);
  return { logger: createLogger(options), topic };
}

/** Connection messages unless `connection_messages false`, or when the logger writes no notice lines. */
export function connectionLogFor(config: Config, log: Logger): ConnectionLog | undefined {
  if (!config.log.connectionMessages || !log.isLevelEnabled('info')) return undefined;
  return new ConnectionLog(log);
}

/**
 * log_type subscribe / unsubscribe: one line per subscription change, "CLIENT QOS FILTER" and "CLIENT FILTER"
 * as mosquitto writes them. Observers only exist when a type asks for them, so nobody else pays.
 */
export function observeSubscriptionLog(config: Config, log: Logger, hooks: HookRunner): void {
  const categories = categoriesOf(config.log.verbose ? ['all'] : config.log.types);
  const subscribe = categories.has('subscribe');
  const unsubscribe = categories.has('unsubscribe');
  if (!subscribe && !unsubscribe) return;
  hooks.add({
    onSubscribed: subscribe
      ? ({ client, topicFilter, qos }) =>
          log.info({ logType: 'subscribe' }, `${client.clientId} ${qos} ${topicFilter}`)
      : undefined,
    onUnsubscribed: unsubscribe
      ? ({ client, topicFilter }) => log.info({ logType: 'unsubscribe' }, `${client.clientId} ${topicFilter}`)
      : undefined,
  });
}

/** `log_dest topic`: log lines go out as QoS 0, non-retained $SYS messages through the broker's route. */
export function attachLogTopic(topic: LogTopicSink | undefined, publish: (message: Message) => void): void {
  topic?.attach((name, payload) =>
    publish({ topic: name, payload: Buffer.from(payload), qos: 0, retain: false, receivedAt: Date.now() }),
  );
}

// Midge's public API. Everything an embedding program, the CLI or the admin API may use; nothing else is public.
export { createBroker } from './server.js';
export { openAuthStore, explainAccess } from './server-auth.js';
export type {
  Access,
  AuthStoreAdmin,
  ExplainQuery,
  Explanation,
  StoredAcl,
  StoredUser,
} from './auth/types.js';
export { AuthStoreError, type AuthStoreErrorCode } from './auth/store-error.js';
export type { Broker, BrokerOptions } from './server.js';
export { VERSION } from './util/version.js';
export type { Config, ConfigInput, ListenerConfig } from './config/schema.js';
export { resolveConfig } from './config/schema.js';
export { loadConfigFile } from './config/mosquitto-conf.js';
export { ConfigError } from './config/errors.js';
export { createLogger } from './observability/log.js';
export { loggerOptionsFor } from './observability/log-settings.js';
export type { LogSettings, MappedLogSettings } from './observability/log-settings.js';
export type { LogTopicSink } from './observability/log-topic.js';
export type { ListenerAddress } from './transport/types.js';
export { hashPassword } from './auth/password.js';
export { checkPasswordHash, hashNewPassword, verifyStoredPassword } from './auth/password-hash.js';
export type { PasswordScheme } from './auth/password-hash.js';
export { PasswordHashError } from './auth/password-error.js';
export { isValidTopicFilter, isValidTopicName } from './topic/validate.js';
export { ControlError } from './control/types.js';
export type {
  BrokerControl,
  ClientFilter,
  ClientInfo,
  ControlIdentity,
  PublishRequest,
  PublishResult,
  RetainedInfo,
  StatsSnapshot,
  SubscriptionInfo,
  AuthAnswer,
  WatchSelection,
  WebhookInfo,
  WebhookRegistration,
} from './control/types.js';
export { BROKER_EVENTS } from './hooks/event-observers.js';
export type {
  BrokerHooks,
  HookClient,
  HookMessage,
  Verdict,
  DropReason,
  PublishSource,
} from './hooks/types.js';
export type { Properties, QoS } from './protocol/types.js';
export { DEFAULT_HTTP_API } from './config/defaults.js';
export type { HttpApiConfig } from './config/schema.js';
export { issueDeviceToken } from './hooks/device-token.js';
export type { EnvelopeConfig, WebhookConfig } from './config/schema.js';

// Starts the HTTP API listeners of a config (protocol http_api) next to a started broker, plus the default
// one on 127.0.0.1:8080 when midge runs with no config file and no -p.
import type { Logger } from 'pino';
import type { Broker, Config } from '../index.js';
import { DEFAULT_HTTP_API } from '../index.js';
import { startHttpApi, type HttpApi } from '../api/http-api.js';
import { registerTokenRoutes } from '../api/routes-tokens.js';
import { registerUserRoutes } from '../api/routes-users.js';
import type { FastifyInstance } from 'fastify';
import type { ApiAuth } from '../api/http-api.js';

export async function startHttpApis(
  broker: Broker,
  config: Config,
  log: Logger,
  withDefault: boolean,
): Promise<HttpApi[]> {
  const started: HttpApi[] = [];
  const tokens = registerTokenRoutes(config);
  const users = registerUserRoutes(config);
  const extend = (app: FastifyInstance, auth: ApiAuth): void => {
    tokens(app, auth);
    users(app, auth);
  };
  for (const [index, listener] of config.listeners.entries()) {
    if (listener.protocol !== 'http_api') continue;
    const api = await startHttpApi(broker, {
      port: listener.port,
      host: listener.host,
      listener: index,
      settings: config.httpApi,
      extend,
    });
    log.info(`HTTP API listening on ${api.host}:${api.port}`);
    started.push(api);
  }
  if (withDefault && started.length === 0) {
    try {
      const api = await startHttpApi(broker, {
        ...DEFAULT_HTTP_API,
        listener: -1,
        settings: config.httpApi,
        extend,
      });
      log.info(
        `HTTP API listening on ${api.host}:${api.port} (default; API keys from ${config.httpApi.keyFile})`,
      );
      started.push(api);
    } catch (error) {
      // The default API is a convenience: a busy port must not keep the broker from running.
      log.warn(
        `HTTP API not started on ${DEFAULT_HTTP_API.host}:${DEFAULT_HTTP_API.port}: ${(error as Error).message}`,
      );
    }
  }
  return started;
}

#!/usr/bin/env node
// `midge`: start a broker from the command line and stop it cleanly on SIGINT / SIGTERM. Uses only the public API.
import { rmSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { createBroker, createLogger, loggerOptionsFor } from '../index.js';
import { parseArgs } from './args.js';
import { findSubcommand } from './subcommands.js';
import { collectStartupGarbage } from './startup-gc.js';
import { dropPrivileges } from './drop-privileges.js';

async function main(argv: readonly string[]): Promise<void> {
  const subcommand = findSubcommand(argv);
  if (subcommand !== undefined) {
    const io = { input: process.stdin, output: process.stdout, error: process.stderr };
    process.exitCode = await subcommand(argv.slice(1), io);
    return;
  }
  const parsed = parseArgs(argv);
  if (parsed.action === 'exit') {
    process.stdout.write(parsed.stdout);
    process.stderr.write(parsed.stderr);
    process.exitCode = parsed.code;
    return;
  }
  const { config, configFile } = parsed;
  const { options, topic } = loggerOptionsFor(config.log);
  const log = createLogger(options);
  // The broker itself logs its version, config notes, listeners, local only mode and anonymous access.
  log.info(configFile === undefined ? 'Using default config.' : `Config loaded from ${configFile}.`);
  if (config.localOnlyMode) {
    log.info('Create a configuration file which defines a listener to allow remote access (midge -c FILE).');
  }

  const broker = createBroker(config, { logger: log, logTopic: topic });
  let apis: { close(): Promise<void> }[] = [];
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second signal: the user wants out now, clean or not.
      process.exit(128 + (constants.signals[signal] ?? 0));
    }
    stopping = true;
    log.info(`${signal} received, shutting down (send it again to exit at once)`);
    Promise.all(apis.map((api) => api.close()))
      .then(() => broker.stop())
      .then(
        () => {
          try {
            removePidFile(config.pidFile);
          } catch (error) {
            log.warn(`pid file ${config.pidFile} not removed: ${(error as Error).message}`);
          }
          log.info('midge stopped');
          process.exit(0);
        },
        (error: unknown) => {
          log.error({ err: error }, 'error while stopping');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    await broker.start();
    // The default API only in pure local only mode: `midge` with neither -c nor -p.
    const withDefault = configFile === undefined && !argv.some((a) => a === '-p' || a.startsWith('--port'));
    if (withDefault || config.listeners.some((l) => l.protocol === 'http_api')) {
      // Loaded only when an API listener exists: a plain MQTT broker never pays for the HTTP framework.
      const { startHttpApis } = await import('./http-api.js');
      apis = await startHttpApis(broker, config, log, withDefault);
    }
  } catch (error) {
    log.fatal({ err: error }, `cannot start: ${(error as Error).message}`);
    await broker.stop().catch(() => undefined);
    process.exit(1);
  }
  if (config.pidFile !== undefined) writeFileSync(config.pidFile, `${process.pid}\n`);
  try {
    const switched = dropPrivileges(config.user);
    if (switched !== undefined) log.info(switched);
  } catch (error) {
    log.fatal(`cannot start: ${(error as Error).message}`);
    await broker.stop().catch(() => undefined);
    process.exit(1);
  }
  collectStartupGarbage();
}

function removePidFile(path: string | undefined): void {
  // After `user` switched away from root the directory may not let us: the file stays, as with mosquitto.
  if (path !== undefined) rmSync(path, { force: true, maxRetries: 0 });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  // Anything not already reported: one line, no stack, like a config error.
  process.stderr.write(`midge: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

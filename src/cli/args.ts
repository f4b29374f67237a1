// The command line: `midge [-c FILE] [-p PORT] [-v]`, mosquitto's flags. Turns argv into a Config and logger
// options without starting anything, so it can be tested alone. Uses only the public API.
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { ConfigError, VERSION, loadConfigFile, resolveConfig } from '../index.js';
import type { Config, ListenerConfig } from '../index.js';

export interface RunOptions {
  action: 'run';
  config: Config;
  verbose: boolean;
  /** The -c file, when one was given. */
  configFile: string | undefined;
}

/** --help, --version, a usage error or a config error: print, then exit with `code`. */
export interface ExitOptions {
  action: 'exit';
  code: number;
  stdout: string;
  stderr: string;
}

export type ParsedArgs = RunOptions | ExitOptions;

function parsePort(value: string): number {
  const port = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new InvalidArgumentError('expects a port number from 0 to 65535.');
  return port;
}

function buildProgram(out: { stdout: string; stderr: string }): Command {
  return new Command()
    .name('midge')
    .description(
      'An MQTT 3.1 / 3.1.1 / 5.0 broker. Without a config file it listens on 127.0.0.1 only, MQTT on 1883 and ' +
        'MQTT over WebSocket on 9001, and allows anonymous clients (mosquitto 2 "local only mode"); a config ' +
        'file uses mosquitto.conf syntax.',
    )
    .version(VERSION, '--version', 'print the version and exit')
    .option('-c, --config <file>', 'read the configuration from a mosquitto.conf-style file')
    .option('-p, --port <port>', "listen on this port instead of the default listener's (1883)", parsePort)
    .option(
      '--ws-port <port>',
      "listen for MQTT over WebSocket on this port instead of the default WebSocket listener's (9001)",
      parsePort,
    )
    .option('-v, --verbose', 'log debug messages')
    .helpOption('-h, --help', 'print this help and exit')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => (out.stdout += text),
      writeErr: (text) => (out.stderr += text),
    });
}

/** Parses the arguments after `midge` (process.argv.slice(2)). Never exits the process itself. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const out = { stdout: '', stderr: '' };
  const program = buildProgram(out);
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return { action: 'exit', code: error.exitCode, ...out };
    throw error;
  }
  const options = program.opts<{ config?: string; port?: number; wsPort?: number; verbose?: boolean }>();
  const verbose = options.verbose === true;
  try {
    let config = options.config === undefined ? resolveConfig({}) : loadConfigFile(options.config);
    if (options.port !== undefined) config = withDefaultPort(config, options.port);
    if (options.wsPort !== undefined) config = withDefaultWebSocketPort(config, options.wsPort);
    if (verbose) config = { ...config, log: { ...config.log, verbose: true } };
    return { action: 'run', config, verbose, configFile: options.config };
  } catch (error) {
    if (error instanceof ConfigError)
      return { action: 'exit', code: 1, stdout: '', stderr: `${error.message}\n` };
    throw error;
  }
}

/**
 * -p moves the default listener (the top-level `port` one, or local only mode's loopback one). A config with
 * only `listener` sections has none: -p then adds one on every address, as a `port` line would.
 */
export function withDefaultPort(config: Config, port: number): Config {
  const listeners: ListenerConfig[] = config.listeners.map((l) => (l.defaultListener ? { ...l, port } : l));
  if (!listeners.some((l) => l.defaultListener))
    listeners.unshift({ port, protocol: 'mqtt', defaultListener: true });
  return resolveConfig({ ...config, listeners });
}

/** --ws-port moves local only mode's WebSocket listener; a config without one gets one on every address. */
export function withDefaultWebSocketPort(config: Config, port: number): Config {
  const listeners: ListenerConfig[] = config.listeners.map((l) =>
    l.defaultWebSocketListener ? { ...l, port } : l,
  );
  if (!listeners.some((l) => l.defaultWebSocketListener))
    listeners.push({ port, protocol: 'websockets', defaultWebSocketListener: true });
  return resolveConfig({ ...config, listeners });
}

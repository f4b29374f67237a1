// The broker's logger: pino, JSON lines for machines, pino-pretty for people at a terminal. No global logger:
// every broker gets the one it is given, so two brokers (or two tests) never share log state. mosquitto's
// log_type categories, several log_dest destinations and log_timestamp_format sit on top of pino here.
import { createRequire } from 'node:module';
import { pino } from 'pino';
import type { DestinationStream, Level, Logger, LoggerOptions as PinoOptions } from 'pino';
import type PinoPretty from 'pino-pretty';
import { categoriesOf, categoryOf, formatTimestamp } from './log-format.js';
import type { LogTopicSink } from './log-topic.js';

export type { Logger };

/** 'stdout', 'stderr', a file (appended to, directories made), $SYS topics, or any writable stream. */
export type LogDestination =
  'stdout' | 'stderr' | { file: string } | { topic: LogTopicSink } | NodeJS.WritableStream;

export interface LoggerOptions {
  /** Debug level instead of info. */
  verbose?: boolean;
  /** An explicit level; wins over `verbose`. */
  level?: Level | 'silent';
  /** true: JSON lines; false: human-readable; default: human-readable only when the destination is a TTY. */
  json?: boolean;
  /** Default 'stdout'; several destinations each get every line. */
  destination?: LogDestination | LogDestination[];
  /** Log nothing (tests). */
  silent?: boolean;
  /** Include a time on each line (mosquitto log_timestamp); default true. */
  timestamp?: boolean;
  /** mosquitto log_timestamp_format: a strftime format for the time; default an ISO 8601 time. */
  timestampFormat?: string;
  /**
   * mosquitto log_type values (error warning notice information subscribe unsubscribe websockets debug all
   * none): only lines of these categories are written. Default: every category the level lets through.
   */
  types?: readonly string[];
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const categories = options.types === undefined ? undefined : categoriesOf(options.types);
  const silent = options.silent === true || categories?.size === 0;
  const debug = options.verbose === true || categories?.has('debug') === true;
  const level = silent ? 'silent' : (options.level ?? (debug ? 'debug' : 'info'));
  const base: PinoOptions = { level, base: undefined, timestamp: timeFunction(options) };
  if (categories !== undefined && categories.size < 8) {
    base.hooks = {
      // A line outside the chosen categories is dropped before pino serialises it.
      logMethod(args, method, lineLevel) {
        if (categories.has(categoryOf(lineLevel, args[0]))) method.apply(this, args);
      },
    };
  }
  if (level === 'silent') return pino(base);
  const wanted = options.destination ?? 'stdout';
  const destinations = Array.isArray(wanted) ? wanted : [wanted];
  const streams = destinations.map((d) => streamFor(d, options));
  if (streams.length === 1) return pino(base, streams[0]);
  // Each stream takes every level the logger lets through (multistream's own default would be info only).
  return pino(base, pino.multistream(streams.map((stream) => ({ stream, level: 'trace' as const }))));
}

/** A logger that drops everything, for tests and embedders that log elsewhere. */
export function createSilentLogger(): Logger {
  return createLogger({ silent: true });
}

function timeFunction(options: LoggerOptions): PinoOptions['timestamp'] {
  if (options.timestamp === false) return false;
  const format = options.timestampFormat;
  if (format === undefined) return pino.stdTimeFunctions.isoTime;
  return () => `,"time":${JSON.stringify(formatTimestamp(format, new Date()))}`;
}

function streamFor(destination: LogDestination, options: LoggerOptions): DestinationStream {
  if (typeof destination === 'object' && 'topic' in destination) return destination.topic;
  const { target, isTTY } = openDestination(destination);
  if (options.json ?? !isTTY) return target as DestinationStream;
  // Loaded only for a terminal: its ~40 modules otherwise sit in every broker's heap (start-up heap is what the
  // first full GC has to mark, and that GC lands in the first second of traffic).
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  const timestamp = options.timestamp ?? true;
  return pretty({
    destination: target,
    colorize: isTTY,
    sync: true,
    // A log_timestamp_format time is already text: shown as it is.
    translateTime: timestamp && options.timestampFormat === undefined ? 'SYS:yyyy-mm-dd HH:MM:ss.l' : false,
    ignore: 'pid,hostname,logType',
  });
}

function openDestination(destination: Exclude<LogDestination, { topic: LogTopicSink }>): {
  target: DestinationStream | NodeJS.WritableStream;
  isTTY: boolean;
} {
  if (destination === 'stdout')
    return { target: pino.destination({ dest: 1, sync: true }), isTTY: isTty(process.stdout) };
  if (destination === 'stderr')
    return { target: pino.destination({ dest: 2, sync: true }), isTTY: isTty(process.stderr) };
  if ('file' in destination) {
    return {
      target: pino.destination({ dest: destination.file, sync: true, mkdir: true, append: true }),
      isTTY: false,
    };
  }
  return { target: destination, isTTY: isTty(destination) };
}

function isTty(stream: object): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

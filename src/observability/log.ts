// The broker's logger: pino, JSON lines for machines, pino-pretty for people at a terminal. No global logger:
// every broker gets the one it is given, so two brokers (or two tests) never share log state.
import { createRequire } from 'node:module';
import { pino } from 'pino';
import type { DestinationStream, Level, Logger } from 'pino';
import type PinoPretty from 'pino-pretty';

export type { Logger };

/** 'stdout', 'stderr', a file (appended to, directories made), or any writable stream. */
export type LogDestination = 'stdout' | 'stderr' | { file: string } | NodeJS.WritableStream;

export interface LoggerOptions {
  /** Debug level instead of info. */
  verbose?: boolean;
  /** An explicit level; wins over `verbose`. */
  level?: Level | 'silent';
  /** true: JSON lines; false: human-readable; default: human-readable only when the destination is a TTY. */
  json?: boolean;
  /** Default 'stdout'. */
  destination?: LogDestination;
  /** Log nothing (tests). */
  silent?: boolean;
  /** Include a time on each line (mosquitto log_timestamp); default true. */
  timestamp?: boolean;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.silent ? 'silent' : (options.level ?? (options.verbose ? 'debug' : 'info'));
  const timestamp = options.timestamp ?? true;
  const base = { level, base: undefined, timestamp: timestamp ? pino.stdTimeFunctions.isoTime : false };
  if (level === 'silent') return pino(base);
  const { target, isTTY } = openDestination(options.destination ?? 'stdout');
  if (options.json ?? !isTTY) return pino(base, target);
  // Loaded only for a terminal: its ~40 modules otherwise sit in every broker's heap (start-up heap is what the
  // first full GC has to mark, and that GC lands in the first second of traffic).
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  const human = pretty({
    destination: target,
    colorize: isTTY,
    sync: true,
    translateTime: timestamp ? 'SYS:yyyy-mm-dd HH:MM:ss.l' : false,
    ignore: 'pid,hostname',
  });
  return pino(base, human);
}

/** A logger that drops everything, for tests and embedders that log elsewhere. */
export function createSilentLogger(): Logger {
  return createLogger({ silent: true });
}

function openDestination(destination: LogDestination): {
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

// From the log section of the configuration (mosquitto's log_type, log_dest, log_timestamp,
// log_timestamp_format; -v) to the options of createLogger. The config checks the values; here they are mapped.
import type { LogDestination, LoggerOptions } from './log.js';
import { LogTopicSink } from './log-topic.js';

/** The log settings of a Config (config/schema.ts LogConfig has this shape). */
export interface LogSettings {
  readonly types: readonly string[];
  readonly dest: readonly string[];
  readonly verbose: boolean;
  readonly timestamp: boolean;
  readonly timestampFormat?: string;
}

export interface MappedLogSettings {
  options: LoggerOptions;
  /** Set with `log_dest topic`: hand it to createBroker (`logTopic`) so it can publish the lines. */
  topic: LogTopicSink | undefined;
}

/**
 * -v is log_type all (mosquitto); log_dest none or log_type none alone silence everything; every other
 * destination gets every line of the chosen categories. Without log_dest, stderr (mosquitto's default).
 */
export function loggerOptionsFor(settings: LogSettings): MappedLogSettings {
  const types = settings.verbose ? ['all'] : [...settings.types];
  const options: LoggerOptions = { types, timestamp: settings.timestamp };
  if (settings.timestampFormat !== undefined) options.timestampFormat = settings.timestampFormat;
  if (settings.dest.includes('none')) return { options: { ...options, silent: true }, topic: undefined };
  let topic: LogTopicSink | undefined;
  const destinations: LogDestination[] = [];
  for (const entry of settings.dest) {
    if (entry === 'stdout' || entry === 'stderr') destinations.push(entry);
    else if (entry.startsWith('file ')) destinations.push({ file: entry.slice(5).trim() });
    else if (entry === 'topic') {
      topic ??= new LogTopicSink({
        timestamp: settings.timestamp,
        timestampFormat: settings.timestampFormat,
      });
      destinations.push({ topic });
    }
  }
  if (destinations.length === 0) destinations.push('stderr');
  options.destination = destinations.length === 1 ? destinations[0] : destinations;
  return { options, topic };
}

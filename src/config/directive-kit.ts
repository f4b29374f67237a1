// What every directive definition shares: where it was written, the configuration being built, and the
// checks that turn a value into a setting or a ConfigError that says what was expected.
import { ConfigError } from './errors.js';
import type { ClusterConfig, Config, ListenerConfig, LogConfig } from './schema.js';

/** Where a directive was written, for error messages. */
export interface At {
  file: string;
  line: number;
  directive: string;
}

/** The configuration being built while a file is read. */
export interface ParseState {
  draft: Omit<Partial<Config>, 'log' | 'httpApi' | 'envelope' | 'cluster'> & {
    cluster?: Partial<ClusterConfig>;
    httpApi?: Partial<Config['httpApi']>;
    envelope?: Partial<Config['envelope']>;
    listeners: ListenerConfig[];
    authOptions: Record<string, string>;
    notes: string[];
    log: Partial<LogConfig>;
  };
  /** The listener of the top-level port / bind_address / listener-specific directives, made on first use. */
  defaultListener: ListenerConfig | undefined;
  /** The section opened by the last `listener` line. */
  current: ListenerConfig | undefined;
  /** per_listener_settings, known before the first directive (the file is scanned for it first). */
  perListenerSettings: boolean;
}

export interface Directive {
  /** What the value should look like, for "expects ..." and "needs a value: ..." messages. */
  expects: string;
  apply(state: ParseState, value: string, at: At): void;
}

export function badValue(at: At, expects: string, value: string): ConfigError {
  return new ConfigError(
    'MIDGE_CONFIG_BAD_VALUE',
    `'${at.directive}' expects ${expects}, got '${value}'`,
    at,
  );
}

/** A mosquitto directive Midge refuses, with why and what to do instead. */
export function unsupported(at: At, why: string): ConfigError {
  return new ConfigError('MIDGE_CONFIG_UNSUPPORTED', why, at);
}

export function describeRange(min: number, max: number): string {
  return max === Number.MAX_SAFE_INTEGER
    ? `a whole number >= ${min}`
    : `a whole number from ${min} to ${max}`;
}

export function parseWhole(value: string, min: number, max: number, at: At): number {
  const n = /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw badValue(at, describeRange(min, max), value);
  return n;
}

export function parseBool(value: string, at: At): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw badValue(at, "'true' or 'false'", value);
}

export function parseChoice<T extends string>(value: string, choices: readonly T[], at: At): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw badValue(at, `one of ${choices.map((c) => `'${c}'`).join(', ')}`, value);
}

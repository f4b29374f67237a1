// mosquitto's log categories (log_type) and timestamps (log_timestamp_format) on top of pino levels.
// A line carries its category in a `logType` field when pino's level alone cannot say it (notice versus
// information, subscribe, unsubscribe, websockets); otherwise the level decides.

/** The categories a line can belong to; 'all' and 'none' are only selectors. */
export type LogCategory =
  'error' | 'warning' | 'notice' | 'information' | 'subscribe' | 'unsubscribe' | 'websockets' | 'debug';

const EVERY_CATEGORY: readonly LogCategory[] = [
  'error',
  'warning',
  'notice',
  'information',
  'subscribe',
  'unsubscribe',
  'websockets',
  'debug',
];

/** log_type values → the set of categories logged ('all' is every one, 'none' silences). */
export function categoriesOf(types: readonly string[]): Set<LogCategory> {
  if (types.includes('all')) return new Set(EVERY_CATEGORY);
  return new Set(EVERY_CATEGORY.filter((c) => types.includes(c)));
}

/** The category of one pino call: its `logType` field, else its level (info is mosquitto's "notice"). */
export function categoryOf(level: number, fields: unknown): LogCategory {
  if (typeof fields === 'object' && fields !== null) {
    const tagged = (fields as { logType?: unknown }).logType;
    if (typeof tagged === 'string') return tagged as LogCategory;
  }
  if (level >= 50) return 'error';
  if (level >= 40) return 'warning';
  if (level >= 30) return 'notice';
  return 'debug';
}

/**
 * Where `log_dest topic` publishes a line of this category (mosquitto.conf(5)): $SYS/broker/log/E, W, N, I,
 * M/subscribe, M/unsubscribe, WS; debug lines never go to topics.
 */
export function logTopicOf(category: LogCategory): string | undefined {
  switch (category) {
    case 'error':
      return '$SYS/broker/log/E';
    case 'warning':
      return '$SYS/broker/log/W';
    case 'notice':
      return '$SYS/broker/log/N';
    case 'information':
      return '$SYS/broker/log/I';
    case 'subscribe':
      return '$SYS/broker/log/M/subscribe';
    case 'unsubscribe':
      return '$SYS/broker/log/M/unsubscribe';
    case 'websockets':
      return '$SYS/broker/log/WS';
    case 'debug':
      return undefined;
  }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number, width = 2, fill = '0'): string {
  return String(n).padStart(width, fill);
}

function utcOffset(date: Date): string {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
}

function dayOfYear(date: Date): number {
  const start = new Date(date.getFullYear(), 0, 1);
  return Math.floor((date.getTime() - start.getTime()) / 86_400_000) + 1;
}

/** The strftime(3) conversions log_timestamp_format may use, in local time as mosquitto (localtime). */
const CONVERSIONS: Record<string, (d: Date) => string> = {
  Y: (d) => String(d.getFullYear()),
  y: (d) => pad(d.getFullYear() % 100),
  m: (d) => pad(d.getMonth() + 1),
  d: (d) => pad(d.getDate()),
  e: (d) => pad(d.getDate(), 2, ' '),
  H: (d) => pad(d.getHours()),
  I: (d) => pad(d.getHours() % 12 === 0 ? 12 : d.getHours() % 12),
  p: (d) => (d.getHours() < 12 ? 'AM' : 'PM'),
  M: (d) => pad(d.getMinutes()),
  S: (d) => pad(d.getSeconds()),
  j: (d) => pad(dayOfYear(d), 3),
  a: (d) => DAYS[d.getDay()] as string,
  b: (d) => MONTHS[d.getMonth()] as string,
  h: (d) => MONTHS[d.getMonth()] as string,
  F: (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
  T: (d) => `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`,
  s: (d) => String(Math.floor(d.getTime() / 1000)),
  z: utcOffset,
  '%': () => '%',
};

/** The conversion letters formatTimestamp knows, for the config check. */
export const TIMESTAMP_CONVERSIONS: readonly string[] = Object.keys(CONVERSIONS);

/** The first conversion of `format` formatTimestamp cannot do, or undefined when every one is known. */
export function unknownConversion(format: string): string | undefined {
  for (const match of format.matchAll(/%(.?)/g)) {
    const letter = match[1] ?? '';
    if (!Object.hasOwn(CONVERSIONS, letter)) return `%${letter}`;
  }
  return undefined;
}

/** strftime-style formatting of `date` (local time); mosquitto's default without a format is epoch seconds. */
export function formatTimestamp(format: string | undefined, date: Date): string {
  if (format === undefined) return String(Math.floor(date.getTime() / 1000));
  return format.replace(/%(.?)/g, (whole, letter: string) => {
    const convert = CONVERSIONS[letter];
    return convert === undefined ? whole : convert(date);
  });
}

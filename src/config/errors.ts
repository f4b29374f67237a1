// Configuration errors users see: a stable code, where (file:line), and what to do about it.

export type ConfigErrorCode =
  | 'MIDGE_CONFIG_UNKNOWN_DIRECTIVE'
  | 'MIDGE_CONFIG_BAD_VALUE'
  | 'MIDGE_CONFIG_MISSING_VALUE'
  | 'MIDGE_CONFIG_MISPLACED_DIRECTIVE'
  | 'MIDGE_CONFIG_UNREADABLE'
  /** A mosquitto directive Midge refuses: the message says why and what to use instead. */
  | 'MIDGE_CONFIG_UNSUPPORTED';

export interface ConfigErrorLocation {
  file?: string;
  line?: number;
  directive?: string;
}

export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  /** The message without the code and location. */
  readonly detail: string;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly directive: string | undefined;

  /** `detail` is the human part; the message gets the code and location in front of it. */
  constructor(
    code: ConfigErrorCode,
    detail: string,
    where: ConfigErrorLocation = {},
    options?: ErrorOptions,
  ) {
    super(`${code}${formatLocation(where)}: ${detail}`, options);
    this.name = 'ConfigError';
    this.code = code;
    this.detail = detail;
    this.file = where.file;
    this.line = where.line;
    this.directive = where.directive;
  }
}

function formatLocation({ file, line }: ConfigErrorLocation): string {
  if (file === undefined) return '';
  return line === undefined ? ` in ${file}` : ` at ${file}:${line}`;
}

/** Levenshtein distance, two rows. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length] as number;
}

/** The closest known name, if it is close enough to be a likely typo. */
export function suggest(name: string, known: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

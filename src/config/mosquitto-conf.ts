// Reads mosquitto.conf syntax into a Config: `# comment` lines, `directive value...` lines, `listener PORT [BIND]`
// opening a section that listener-specific directives apply to, and `include_dir` (main file only, as mosquitto).
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, suggest } from './errors.js';
import { DIRECTIVES, KNOWN_DIRECTIVES, OPTION_PREFIXES } from './directives.js';
import type { At, ParseState } from './directives.js';
import { resolveConfig } from './schema.js';
import type { Config } from './schema.js';

interface Line extends At {
  value: string;
}

export interface ParseOptions {
  /** The name errors show (`midge.conf:12`); default 'mosquitto.conf'. */
  file?: string;
  /** Where a relative include_dir is looked up; default the directory of `file`, or the working directory. */
  baseDir?: string;
}

/** Parses mosquitto.conf text (include_dir reads the directories it names) and resolves every default. */
export function parseMosquittoConf(text: string, options: ParseOptions = {}): Config {
  const file = options.file ?? 'mosquitto.conf';
  const baseDir =
    options.baseDir ?? (options.file === undefined ? process.cwd() : dirname(resolve(options.file)));
  const lines = readLines(text, file, baseDir, true);
  const state: ParseState = {
    draft: { listeners: [], authOptions: {}, notes: [], log: {} },
    defaultListener: undefined,
    current: undefined,
    // mosquitto wants per_listener_settings before the settings it changes; reading it first makes order moot.
    perListenerSettings: lines.some((l) => l.directive === 'per_listener_settings' && l.value === 'true'),
  };
  for (const line of lines) applyLine(state, line);
  try {
    return resolveConfig(state.draft);
  } catch (error) {
    if (error instanceof ConfigError)
      throw new ConfigError(error.code, error.detail, { file }, { cause: error });
    throw error;
  }
}

/** Reads and parses a mosquitto.conf file. Errors name the file and line. */
export function loadConfigFile(path: string): Config {
  return parseMosquittoConf(readText(path, undefined), { file: path });
}

function readText(path: string, from: At | undefined): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError(
      'MIDGE_CONFIG_UNREADABLE',
      `cannot read config file '${path}' (${reason})`,
      from ?? {},
      {
        cause: error,
      },
    );
  }
}

function readLines(text: string, file: string, baseDir: string, isMain: boolean): Line[] {
  const lines: Line[] = [];
  const rows = text.split(/\r?\n/);
  for (const [index, row] of rows.entries()) {
    const trimmed = row.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const space = trimmed.search(/\s/);
    const directive = space === -1 ? trimmed : trimmed.slice(0, space);
    const value = space === -1 ? '' : trimmed.slice(space + 1).trim();
    const line: Line = { file, line: index + 1, directive, value };
    if (directive === 'include_dir') lines.push(...readIncludeDir(line, baseDir, isMain));
    else lines.push(line);
  }
  return lines;
}

/** Every `*.conf` file of the directory, in byte order of the names (mosquitto sorts them the same way). */
function readIncludeDir(at: Line, baseDir: string, isMain: boolean): Line[] {
  if (!isMain) {
    throw new ConfigError(
      'MIDGE_CONFIG_MISPLACED_DIRECTIVE',
      "'include_dir' works only in the main config file; move it there",
      at,
    );
  }
  if (at.value === '') throw missingValue(at, 'a directory path');
  const dir = resolve(baseDir, at.value);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError(
      'MIDGE_CONFIG_UNREADABLE',
      `cannot read include_dir '${at.value}' (${reason})`,
      at,
      {
        cause: error,
      },
    );
  }
  const lines: Line[] = [];
  for (const name of names.filter((n) => n.endsWith('.conf')).sort()) {
    const path = join(dir, name);
    lines.push(...readLines(readText(path, at), path, dir, false));
  }
  return lines;
}

function missingValue(at: At, expects: string): ConfigError {
  return new ConfigError('MIDGE_CONFIG_MISSING_VALUE', `'${at.directive}' needs a value: ${expects}`, at);
}

function applyLine(state: ParseState, line: Line): void {
  const { directive, value } = line;
  const prefix = OPTION_PREFIXES.find((p) => directive.startsWith(p) && directive.length > p.length);
  if (prefix !== undefined) {
    if (value === '') throw missingValue(line, 'the option value');
    state.draft.authOptions[directive.slice(prefix.length)] = value;
    return;
  }
  const spec = Object.hasOwn(DIRECTIVES, directive) ? DIRECTIVES[directive] : undefined;
  if (spec === undefined) {
    const guess = suggest(directive, KNOWN_DIRECTIVES);
    const hint =
      guess === undefined
        ? 'see mosquitto.conf(5) for the directives Midge supports'
        : `did you mean '${guess}'?`;
    throw new ConfigError('MIDGE_CONFIG_UNKNOWN_DIRECTIVE', `'${directive}' — ${hint}`, line);
  }
  if (value === '') throw missingValue(line, spec.expects);
  spec.apply(state, value, line);
}

// What `midge user` and `midge acl` share: the config they act on (-c FILE, or the defaults, whose store is
// persistence_location/auth.db), commander's output captured for the caller, and one coded line per error.
import { Command, CommanderError } from 'commander';
import { AuthStoreError, ConfigError, loadConfigFile, openAuthStore, resolveConfig } from '../index.js';
import type { AuthStoreAdmin, Config } from '../index.js';
import type { CommandIo } from './passwd.js';
import { askSecrets } from './prompt.js';

export interface StoreCommandContext {
  io: CommandIo;
  /** The config named by -c, or the defaults. */
  config(): Config;
  /** Opens the config's auth store, runs `use` and closes it again. */
  withStore<T>(use: (store: AuthStoreAdmin) => Promise<T>): Promise<T>;
  /** --password, or asked twice on standard input. */
  password(given: string | undefined): Promise<string>;
}

export class CliError extends Error {
  constructor(
    readonly code: string,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

function context(io: CommandIo, configFile: () => string | undefined): StoreCommandContext {
  let loaded: Config | undefined;
  const config = (): Config => {
    const file = configFile();
    loaded ??= file === undefined ? resolveConfig({}) : loadConfigFile(file);
    return loaded;
  };
  return {
    io,
    config,
    async withStore(use) {
      const store = openAuthStore(config());
      try {
        return await use(store);
      } finally {
        await store.close();
      }
    },
    async password(given) {
      if (given !== undefined) return given;
      const [first, second] = await askSecrets(io, ['Password: ', 'Reenter password: ']);
      if (first !== second) throw new CliError('MIDGE_CLI_PASSWORD_MISMATCH', 'the passwords do not match');
      return first as string;
    },
  };
}

/** A commander program for `midge <name>` whose subcommands get a context; returns the exit code. */
export async function runStoreCommand(
  name: string,
  argv: readonly string[],
  io: CommandIo,
  build: (program: Command, ctx: StoreCommandContext) => void,
): Promise<number> {
  const program = new Command()
    .name(`midge ${name}`)
    .option('-c, --config <file>', 'the broker config (mosquitto.conf syntax) whose auth store to use')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.output.write(text), writeErr: (text) => io.error.write(text) });
  build(
    program,
    context(io, () => program.opts<{ config?: string }>().config),
  );
  for (const sub of program.commands) sub.exitOverride();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
    const known =
      error instanceof AuthStoreError || error instanceof ConfigError || error instanceof CliError;
    const message = known ? (error as Error).message : `MIDGE_CLI_FAILED: ${(error as Error).message}`;
    io.error.write(`midge ${name}: ${message}\n`);
    return 1;
  }
}

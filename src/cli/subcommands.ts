// `midge <subcommand> …`: tools that work on files and stores rather than running a broker.
import { runAcl } from './acl.js';
import { runPasswd, type CommandIo } from './passwd.js';
import { runUser } from './user.js';
import { runApikey, runToken } from './apikey.js';

export type Subcommand = (argv: readonly string[], io: CommandIo) => Promise<number>;

const SUBCOMMANDS: Readonly<Record<string, Subcommand>> = {
  passwd: runPasswd,
  user: runUser,
  acl: runAcl,
  apikey: runApikey,
  token: runToken,
};

/** The subcommand named by the first argument, if it names one. */
export function findSubcommand(argv: readonly string[]): Subcommand | undefined {
  const name = argv[0];
  return name !== undefined && Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
}

// `midge apikey create|list|revoke` and `midge token issue`: offline tools that read the same config file
// as the broker (-c), so keys and device tokens match what the running broker checks.
import { Command, CommanderError } from 'commander';
import { issueDeviceToken, loadConfigFile, resolveConfig } from '../index.js';
import type { Config } from '../index.js';
import { createApiKey, readApiKeys, revokeApiKey } from '../api/api-keys.js';
import { parseDuration } from '../api/duration.js';
import type { CommandIo } from './passwd.js';

function configOf(file: string | undefined): Config {
  return file === undefined ? resolveConfig({}) : loadConfigFile(file);
}

function apikeyProgram(io: CommandIo): Command {
  const out = (text: string): void => void io.output.write(text);
  const root = new Command('midge apikey')
    .description('HTTP API keys (stored hashed in http_api_key_file)')
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: (text) => void io.error.write(text) });
  root
    .command('create')
    .option('-c, --config <file>', 'the broker config file')
    .option('--name <name>', 'a label for the key', 'default')
    .option(
      '--username <user>',
      'publish as this user through the ACL (no admin routes); default: a superuser key',
    )
    .action((options: { config?: string; name: string; username?: string }) => {
      const config = configOf(options.config);
      const { key, record } = createApiKey(config.httpApi.keyFile, options);
      out(`${key}\n`);
      io.error.write(
        `API key ${record.id} ('${record.name}') added to ${config.httpApi.keyFile}; it is shown only now.\n`,
      );
    });
  root
    .command('list')
    .option('-c, --config <file>', 'the broker config file')
    .action((options: { config?: string }) => {
      for (const k of readApiKeys(configOf(options.config).httpApi.keyFile)) {
        out(`${k.id}\t${k.name}\t${k.username ?? '(superuser)'}\t${k.created}\n`);
      }
    });
  root
    .command('revoke <id>')
    .option('-c, --config <file>', 'the broker config file')
    .action((id: string, options: { config?: string }) => {
      if (!revokeApiKey(configOf(options.config).httpApi.keyFile, id)) {
        throw new Error(`MIDGE_APIKEY_NOT_FOUND: no API key '${id}'`);
      }
    });
  return root;
}

function tokenProgram(io: CommandIo): Command {
  const out = (text: string): void => void io.output.write(text);
  const root = new Command('midge token')
    .description('envelope device tokens')
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: (text) => void io.error.write(text) });
  root
    .command('issue')
    .option('-c, --config <file>', 'the broker config file (envelope_secret)')
    .requiredOption('--client-id <id...>', 'the envelope client_id(s) the token is valid for')
    .option('--ttl <duration>', "lifetime: seconds or '30m', '12h', '7d'", '1d')
    .action((options: { config?: string; clientId: string[]; ttl: string }) => {
      const secret = configOf(options.config).envelope.secret;
      if (secret === undefined)
        throw new Error('MIDGE_ENVELOPE_NO_SECRET: set envelope_secret in the config file');
      out(`${issueDeviceToken(secret, options.clientId, parseDuration(options.ttl))}\n`);
    });
  return root;
}

async function run(program: Command, argv: readonly string[], io: CommandIo): Promise<number> {
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    io.error.write(`midge: ${(error as Error).message}\n`);
    return 1;
  }
}

export function runApikey(argv: readonly string[], io: CommandIo): Promise<number> {
  return run(apikeyProgram(io), argv, io);
}

export function runToken(argv: readonly string[], io: CommandIo): Promise<number> {
  return run(tokenProgram(io), argv, io);
}

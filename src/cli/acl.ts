// `midge acl add|remove|list|explain` on the auth store the config names. rw follows the store's convention
// (auth-plug by default: 1 read, 2 read and write; subscribe counts as read).
import { CliError, runStoreCommand } from './store-command.js';
import type { CommandIo } from './passwd.js';
import { explainAccess, isValidTopicFilter, isValidTopicName, type Access } from '../index.js';

const ACCESS: readonly Access[] = ['read', 'write', 'subscribe'];

function parseRw(value: string): number {
  if (!/^\d{1,3}$/.test(value))
    throw new CliError('MIDGE_AUTH_BAD_RW', `--rw expects a number such as 1 or 2, got '${value}'`);
  return Number(value);
}

export function runAcl(argv: readonly string[], io: CommandIo): Promise<number> {
  return runStoreCommand('acl', argv, io, (program, ctx) => {
    program.description(
      'Manage and explain the topic ACL rules of the auth store that the broker config names.',
    );
    const out = (line: string): boolean => ctx.io.output.write(`${line}\n`);

    program
      .command('add <username> <topic>')
      .description('grant a user access to a topic filter (replaces the rw of an existing rule)')
      .requiredOption('--rw <rw>', 'access: 1 read (and subscribe), 2 read and write')
      .action(async (username: string, topic: string, options: { rw: string }) => {
        const rw = parseRw(options.rw);
        await ctx.withStore((store) => store.addAcl(username, topic, rw));
        out(`'${username}' ${topic} rw ${rw}`);
      });

    program
      .command('remove <username> <topic>')
      .description('remove the rule for this user and topic filter')
      .action(async (username: string, topic: string) => {
        await ctx.withStore((store) => store.removeAcl(username, topic));
        out(`rule '${username}' ${topic} removed`);
      });

    program
      .command('list [username]')
      .description("list every rule, or one user's")
      .action(async (username: string | undefined) => {
        const rules = await ctx.withStore((store) => store.listAcls(username));
        for (const rule of rules) out(`${rule.username}\t${rule.topic}\t${rule.rw}`);
      });

    program
      .command('explain <username> <topic>')
      .description('say whether the user may do this and which rule of which provider decides')
      .requiredOption('--access <access>', 'read, write (publish) or subscribe')
      .option('--clientid <id>', 'the client id to assume (for %c rules)', 'midge-cli')
      .action(async (username: string, topic: string, options: { access: string; clientid: string }) => {
        if (!(ACCESS as readonly string[]).includes(options.access)) {
          throw new CliError(
            'MIDGE_CLI_BAD_ACCESS',
            `--access expects read, write or subscribe, got '${options.access}'`,
          );
        }
        const access = options.access as Access;
        // A client subscribes with a filter but publishes and receives on topic names, which have no wildcards.
        const valid = access === 'subscribe' ? isValidTopicFilter(topic) : isValidTopicName(topic);
        if (!valid) {
          const what = access === 'subscribe' ? 'a valid topic filter' : 'a topic name (no + or #)';
          throw new CliError('MIDGE_AUTH_BAD_TOPIC', `'${topic}' is not ${what} for --access ${access}`);
        }
        const why = await explainAccess(ctx.config(), {
          username,
          clientId: options.clientid,
          topic,
          access,
        });
        out(`${why.decision}: ${access} '${topic}' for '${username}' — ${why.reason}`);
        out(`provider: ${why.provider}${why.rule === undefined ? '' : `; rule: ${why.rule}`}`);
      });
  });
}

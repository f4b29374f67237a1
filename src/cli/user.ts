// `midge user add|remove|list|password|superuser` on the auth store the config names.
import { runStoreCommand } from './store-command.js';
import type { CommandIo } from './passwd.js';

interface PasswordOptions {
  password?: string;
  passwordHash?: string;
}

function parseSwitch(value: string): boolean {
  if (/^(on|true|yes|1)$/i.test(value)) return true;
  if (/^(off|false|no|0)$/i.test(value)) return false;
  throw new Error(`expected on or off, got '${value}'`);
}

export function runUser(argv: readonly string[], io: CommandIo): Promise<number> {
  return runStoreCommand('user', argv, io, (program, ctx) => {
    program.description('Manage the users of the auth store that the broker config names.');
    const out = (line: string): boolean => ctx.io.output.write(`${line}\n`);
    const passwordFor = async (options: PasswordOptions): Promise<string> =>
      options.passwordHash === undefined ? ctx.password(options.password) : '';

    program
      .command('add <username>')
      .description('add a user (asks for the password unless --password or --password-hash is given)')
      .option('--password <password>', 'the password (visible to other local users: prefer the prompt)')
      .option('--password-hash <hash>', 'store this hash ($7$, PBKDF2$…, bcrypt, argon2id) as it is')
      .option('--superuser', 'the user skips every topic check')
      .action(async (username: string, options: PasswordOptions & { superuser?: boolean }) => {
        const password = await passwordFor(options);
        await ctx.withStore((store) =>
          store.addUser(username, password, {
            superuser: options.superuser === true,
            passwordHash: options.passwordHash,
          }),
        );
        out(`user '${username}' added${options.superuser === true ? ' (superuser)' : ''}`);
      });

    program
      .command('remove <username>')
      .description('remove a user and all of its ACL rules')
      .action(async (username: string) => {
        await ctx.withStore((store) => store.removeUser(username));
        out(`user '${username}' removed`);
      });

    program
      .command('list')
      .description('list the users, superusers marked')
      .action(async () => {
        const users = await ctx.withStore((store) => store.listUsers());
        for (const user of users) out(user.superuser ? `${user.username}\tsuperuser` : user.username);
      });

    program
      .command('password <username>')
      .description("change a user's password (asks unless --password or --password-hash is given)")
      .option('--password <password>', 'the new password')
      .option('--password-hash <hash>', 'store this hash as it is')
      .action(async (username: string, options: PasswordOptions) => {
        const password = await passwordFor(options);
        await ctx.withStore((store) =>
          store.setPassword(username, password, { passwordHash: options.passwordHash }),
        );
        out(`password of '${username}' changed`);
      });

    program
      .command('superuser <username> [on|off]')
      .description('make a user a superuser (on, the default) or take it back (off)')
      .action(async (username: string, value: string | undefined) => {
        const superuser = parseSwitch(value ?? 'on');
        await ctx.withStore((store) => store.setSuperuser(username, superuser));
        out(`'${username}' is ${superuser ? 'now' : 'no longer'} a superuser`);
      });
  });
}

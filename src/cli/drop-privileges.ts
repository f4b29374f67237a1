// mosquitto's `user`: a broker started as root switches to this account (its uid, its primary group and that
// user's supplementary groups) once the listeners are open, so privileged ports work and nothing else runs as
// root. Started as anyone else it stays who it is, as mosquitto does.
import { readFileSync } from 'node:fs';

export interface Account {
  uid: number;
  gid: number;
}

/** The uid and primary gid of `user` from /etc/passwd. */
export function lookUpAccount(user: string, passwd = '/etc/passwd'): Account | undefined {
  for (const line of readFileSync(passwd, 'utf8').split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name === user && uid !== undefined && gid !== undefined)
      return { uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

/** Switches to `user` when running as root; returns what it did, for the log. Throws if the user is unknown. */
export function dropPrivileges(user: string | undefined): string | undefined {
  if (user === undefined || process.getuid?.() !== 0) return undefined;
  const account = lookUpAccount(user);
  if (account === undefined) {
    throw new Error(
      `MIDGE_USER_UNKNOWN: 'user ${user}': no such user in /etc/passwd; create it or change 'user'`,
    );
  }
  (process as { initgroups?: (user: string, group: number) => void }).initgroups?.(user, account.gid);
  process.setgid?.(account.gid);
  process.setuid?.(account.uid);
  return `running as user ${user} (uid ${account.uid}, gid ${account.gid})`;
}

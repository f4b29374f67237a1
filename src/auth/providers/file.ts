// mosquitto's `password_file` and `acl_file` as one AuthProvider. Both files are read at creation and again
// on reload(); a reload that fails keeps the rules already loaded.
import { readFileSync } from 'node:fs';
import { Acl } from '../acl.js';
import { AuthFileError } from '../file-error.js';
import { PasswordFile } from '../password.js';
import { SCRAM_SHA_512, ScramConversation } from '../password-scram.js';
import type {
  AuthProvider,
  AuthResult,
  Credentials,
  Decision,
  EnhancedAuthConversation,
  Identity,
} from '../types.js';
import { ReasonCode } from '../../protocol/reason-codes.js';

export interface FileProviderOptions {
  /** mosquitto password_file: `username:hash` lines from mosquitto_passwd. */
  passwordFile?: string;
  /** mosquitto acl_file: topic / user / pattern lines. */
  aclFile?: string;
}

export interface FileProvider extends AuthProvider {
  /** Re-reads both files (SIGHUP). Throws, keeping the previous rules, when either file is unreadable or wrong. */
  reload(): void;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new AuthFileError(
      'MIDGE_AUTH_FILE_UNREADABLE',
      `cannot read the file (${reason})`,
      path,
      undefined,
      {
        cause: error,
      },
    );
  }
}

function toDecision(allowed: boolean): Decision {
  return allowed ? 'allow' : 'deny';
}

/**
 * With a password file: a known user with the right password is allowed, a wrong password or an unknown user
 * is refused (0x86), and a client without a username is left to the chain's anonymous policy (defer).
 * With an acl file: publish, subscribe and read are allowed or denied by its rules (no matching rule denies).
 * Without one the provider has no authorize methods at all, so it neither answers nor makes the chain check.
 */
export function createFileProvider(options: FileProviderOptions): FileProvider {
  const { passwordFile, aclFile } = options;
  let passwords: PasswordFile | undefined;
  let acl: Acl | undefined;

  const load = (): void => {
    const nextPasswords =
      passwordFile === undefined ? undefined : PasswordFile.parse(readText(passwordFile), passwordFile);
    const nextAcl = aclFile === undefined ? undefined : Acl.parse(readText(aclFile), aclFile);
    passwords = nextPasswords;
    acl = nextAcl;
  };
  load();

  const provider: FileProvider = {
    name: 'file',
    async authenticate(credentials: Credentials): Promise<AuthResult> {
      const table = passwords;
      if (table === undefined || credentials.username === undefined) return { decision: 'defer' };
      const ok = await table.verify(credentials.username, credentials.password);
      return ok ? { decision: 'allow' } : { decision: 'deny', reasonCode: ReasonCode.BadUserNameOrPassword };
    },
    // MQTT 5 enhanced authentication against the same password file (its $7$ hashes).
    startEnhancedAuth(method: string): EnhancedAuthConversation | undefined {
      const table = passwords;
      if (method !== SCRAM_SHA_512 || table === undefined) return undefined;
      return new ScramConversation((username) => table.lookup(username));
    },
    reload: load,
  };
  if (aclFile === undefined) return provider;

  const rules = (): Acl => acl as Acl;
  return Object.assign(provider, {
    authorizePublish: (who: Identity, topic: string): Decision =>
      toDecision(rules().allowsPublish(who, topic)),
    authorizeSubscribe: (who: Identity, filter: string): Decision =>
      toDecision(rules().allowsSubscribe(who, filter)),
    authorizeRead: (who: Identity, topic: string): Decision => toDecision(rules().allowsRead(who, topic)),
  });
}

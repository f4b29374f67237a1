// Test certificates made with the openssl CLI in a temp directory: a CA, a server certificate for
// localhost / 127.0.0.1, a client certificate that CA signed, and a "rogue" client certificate from a
// second CA the broker does not trust.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCerts {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  /** Signed by the CA, CN = clientName. */
  clientCert: string;
  clientKey: string;
  clientName: string;
  /** Signed by another CA. */
  rogueCert: string;
  rogueKey: string;
  read(path: string): Buffer;
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('/usr/bin/openssl', args, { cwd: dir, stdio: 'pipe', timeout: 20_000 });
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

function makeCa(dir: string, name: string, subject: string): void {
  openssl(dir, [
    'req',
    '-x509',
    ...EC,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-subj',
    subject,
    '-days',
    '2',
  ]);
}

function makeSigned(dir: string, name: string, subject: string, ca: string, extensions: string): void {
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, ['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  ]);
}

export function makeTestCerts(clientName = 'device-7'): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'midge-certs-'));
  makeCa(dir, 'ca', '/CN=Midge Test CA');
  makeCa(dir, 'rogue-ca', '/CN=Rogue CA');
  makeSigned(
    dir,
    'server',
    '/CN=localhost',
    'ca',
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
  );
  makeSigned(dir, 'client', `/CN=${clientName}`, 'ca', 'extendedKeyUsage=clientAuth\n');
  makeSigned(dir, 'rogue', `/CN=${clientName}`, 'rogue-ca', 'extendedKeyUsage=clientAuth\n');
  const path = (name: string): string => join(dir, name);
  return {
    dir,
    caCert: path('ca.crt'),
    serverCert: path('server.crt'),
    serverKey: path('server.key'),
    clientCert: path('client.crt'),
    clientKey: path('client.key'),
    clientName,
    rogueCert: path('rogue.crt'),
    rogueKey: path('rogue.key'),
    read: (file) => readFileSync(file),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

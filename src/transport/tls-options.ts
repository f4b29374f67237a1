// mosquitto.conf TLS settings → Node TLS server options, read once when a listener starts.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext, type TLSSocket, type TlsOptions } from 'node:tls';
import type { TlsSettings } from './types.js';

/** A TLS handshake that has not finished in this time is dropped, so half-open peers hold nothing. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/** Errors a listener's TLS configuration can raise at start; the message carries the code first. */
export class TlsConfigError extends Error {
  constructor(
    readonly code: 'MIDGE_TLS_FILE_UNREADABLE' | 'MIDGE_TLS_BAD_CONFIG',
    detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

const MIN_VERSIONS = { 'tlsv1.1': 'TLSv1.1', 'tlsv1.2': 'TLSv1.2', 'tlsv1.3': 'TLSv1.3' } as const;

function read(what: string, path: string, where: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new TlsConfigError(
      'MIDGE_TLS_FILE_UNREADABLE',
      `${where}: cannot read ${what} '${path}' (${reason})`,
    );
  }
}

/** capath: every certificate file in the directory (mosquitto's c_rehash directory) is a trusted CA. */
function readCaPath(dir: string, where: string): Buffer[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new TlsConfigError(
      'MIDGE_TLS_FILE_UNREADABLE',
      `${where}: cannot read capath '${dir}' (${reason})`,
    );
  }
  return names
    .map((name) => join(dir, name))
    .filter((path) => statSync(path, { throwIfNoEntry: false })?.isFile() === true)
    .map((path) => read('a capath file', path, where))
    .filter((pem) => pem.includes('-----BEGIN CERTIFICATE-----'));
}

/**
 * Server options for `tls.createServer` / `https.createServer`. require_certificate asks every client for a
 * certificate signed by cafile/capath and refuses the handshake without one; use_identity_as_username alone
 * asks for one but lets the connect handler refuse a client that has none.
 */
export function tlsServerOptions(settings: TlsSettings, where: string): TlsOptions {
  const ca = [
    ...(settings.cafile === undefined ? [] : [read('cafile', settings.cafile, where)]),
    ...(settings.capath === undefined ? [] : readCaPath(settings.capath, where)),
  ];
  const wantsCertificate = settings.requireCertificate === true || settings.useIdentityAsUsername === true;
  if (wantsCertificate && ca.length === 0) {
    throw new TlsConfigError(
      'MIDGE_TLS_BAD_CONFIG',
      `${where}: require_certificate / use_identity_as_username need cafile or capath to verify client certificates`,
    );
  }
  const version = settings.tlsVersion as keyof typeof MIN_VERSIONS | undefined;
  if (version !== undefined && !(version in MIN_VERSIONS)) {
    throw new TlsConfigError(
      'MIDGE_TLS_BAD_CONFIG',
      `${where}: unknown tls_version '${settings.tlsVersion}'`,
    );
  }
  const options: TlsOptions = {
    cert: read('certfile', settings.certfile, where),
    key: read('keyfile', settings.keyfile, where),
    ca: ca.length > 0 ? ca : undefined,
    requestCert: wantsCertificate,
    rejectUnauthorized: settings.requireCertificate === true,
    minVersion: version === undefined ? 'TLSv1.2' : MIN_VERSIONS[version],
    ciphers: settings.ciphers,
    handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
  };
  try {
    // Fail at start, with the listener named, rather than on the first handshake.
    createSecureContext(options);
  } catch (error) {
    throw new TlsConfigError('MIDGE_TLS_BAD_CONFIG', `${where}: ${(error as Error).message}`);
  }
  return options;
}

/** The subject CN of the client certificate, only when the handshake verified it against the CAs. */
export function certificateNameOf(socket: TLSSocket): string | undefined {
  if (!socket.authorized) return undefined;
  const cn = socket.getPeerCertificate().subject?.CN as string | string[] | undefined;
  return Array.isArray(cn) ? cn[0] : cn;
}

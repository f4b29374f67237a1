// Serves the web console (web/, built into dist/web by `npm run build`) at the configured path: index.html
// never cached, assets under content-hashed names cached for a year, and a Content-Security-Policy that lets
// the page load only its own files and talk only to this origin and the broker's own WebSocket listeners.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Broker } from '../index.js';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** dist/web beside dist/api when installed; from src/api (tests through tsx) the built copy in dist/web. */
function webRoot(): string | undefined {
  for (const relative of ['../web/', '../../dist/web/']) {
    const dir = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(`${dir}index.html`)) return dir;
  }
  return undefined;
}

/** The console's files, read once: index.html and the hashed assets (a few hundred KiB). */
function loadFiles(root: string): { index: Buffer; assets: Map<string, Buffer> } {
  const assets = new Map<string, Buffer>();
  for (const name of readdirSync(`${root}assets`)) assets.set(name, readFileSync(`${root}assets/${name}`));
  return { index: readFileSync(`${root}index.html`), assets };
}

/** A host name as the browser sent it, or a safe stand-in when it looks like anything else. */
function hostOf(request: FastifyRequest): string {
  const host = request.hostname.replace(/:\d+$/, '');
  return /^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/.test(host) ? host : '127.0.0.1';
}

function policy(request: FastifyRequest, broker: Broker): string {
  const host = hostOf(request);
  const sockets = broker
    .addresses()
    .filter((a) => a.protocol === 'ws' || a.protocol === 'wss')
    .map((a) => `${a.protocol}://${host}:${a.port}`);
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${sockets.join(' ')}`.trim(),
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function secure(reply: FastifyReply, request: FastifyRequest, broker: Broker): FastifyReply {
  return reply
    .header('content-security-policy', policy(request, broker))
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}

export function registerConsole(app: FastifyInstance, broker: Broker, path: string): void {
  const root = webRoot();
  const files = root === undefined ? undefined : loadFiles(root);
  app.get(path, async (request, reply) => {
    if (files === undefined) {
      return reply
        .code(404)
        .type('text/plain; charset=utf-8')
        .send('MIDGE_CONSOLE_NOT_BUILT: the web console is not built here; run `npm run build`\n');
    }
    return secure(reply, request, broker)
      .header('cache-control', 'no-cache')
      .type('text/html; charset=utf-8')
      .send(files.index);
  });
  app.get<{ Params: { name: string } }>(`${path}assets/:name`, async (request, reply) => {
    const body = files?.assets.get(request.params.name);
    if (body === undefined) return reply.code(404).send();
    return secure(reply, request, broker)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .type(TYPES[extname(request.params.name)] ?? 'application/octet-stream')
      .send(body);
  });
}

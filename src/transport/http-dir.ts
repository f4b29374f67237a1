// http_dir: plain HTTP GET/HEAD on a WebSocket listener serves files from one directory (mosquitto does the
// same), so the page that speaks MQTT can come from the broker itself. Nothing outside the directory is
// reachable: '..' segments are refused and the resolved path, symlinks followed, must stay inside.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
};

export class HttpDirError extends Error {
  readonly code = 'MIDGE_HTTP_DIR_UNREADABLE';
}

/** Resolves http_dir once at start: it must be a readable directory. */
export async function resolveHttpDir(dir: string, where: string): Promise<string> {
  try {
    const root = await realpath(dir);
    if (!(await stat(root)).isDirectory()) throw new Error('not a directory');
    return root;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new HttpDirError(`MIDGE_HTTP_DIR_UNREADABLE: ${where}: cannot serve http_dir '${dir}' (${reason})`);
  }
}

function reply(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(`${text}\n`);
}

/** The file a request path names inside `root`, or undefined when the path is not acceptable. */
async function locate(root: string, url: string): Promise<string | undefined> {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url, 'http://localhost').pathname);
  } catch {
    return undefined;
  }
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..' || s.includes('\\') || s.includes('\0'))) return undefined;
  let file = join(root, ...segments);
  try {
    if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
    const real = await realpath(file);
    // A symlink may point anywhere; only what resolves inside the directory is served.
    if (real !== root && !real.startsWith(root + sep)) return undefined;
    return (await stat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

/** Answers a plain HTTP request on a WebSocket listener. Without http_dir, every request gets 426. */
export function serveHttp(req: IncomingMessage, res: ServerResponse, root: string | undefined): void {
  if (root === undefined) {
    reply(res, 426, 'This is an MQTT over WebSocket endpoint: connect with the "mqtt" subprotocol.', {
      upgrade: 'websocket',
    });
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    reply(res, 405, 'Only GET and HEAD are served here.', { allow: 'GET, HEAD' });
    return;
  }
  void sendFile(req, res, root).catch(() => res.destroy());
}

async function sendFile(req: IncomingMessage, res: ServerResponse, root: string): Promise<void> {
  const file = await locate(root, req.url ?? '/');
  if (file === undefined) {
    reply(res, 404, 'Not found.');
    return;
  }
  const size = (await stat(file)).size;
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': String(size),
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

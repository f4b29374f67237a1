// One question to an auth-plug / go-auth style HTTP endpoint: POST the fields, read the answer.
//   2xx allow (in json mode: {"ok": true}; in text mode: the body "ok"), 4xx deny,
//   5xx, a timeout or a network error: tried again (http_retry_count times), then an HttpAuthError.
import http from 'node:http';
import https from 'node:https';
import type { HttpEndpoints } from './http-options.js';

export type Fields = Readonly<Record<string, string | number>>;

export class HttpAuthError extends Error {
  readonly code = 'MIDGE_AUTH_HTTP_UNAVAILABLE';
}

/** Answers are small; a server that sends more is not an auth endpoint. */
const MAX_BODY_BYTES = 64 * 1024;
const RETRY_DELAY_MS = 100;

interface Reply {
  status: number;
  body: string;
}

function encode(fields: Fields, mode: HttpEndpoints['paramsMode']): { body: string; type: string } {
  if (mode === 'json') return { body: JSON.stringify(fields), type: 'application/json' };
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) form.append(key, String(value));
  return { body: form.toString(), type: 'application/x-www-form-urlencoded' };
}

function post(endpoints: HttpEndpoints, uri: string, fields: Fields): Promise<Reply> {
  const { body, type } = encode(fields, endpoints.paramsMode);
  const transport = endpoints.tls ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      {
        host: endpoints.host,
        port: endpoints.port,
        path: uri,
        method: 'POST',
        headers: { 'content-type': type, 'content-length': Buffer.byteLength(body) },
        timeout: endpoints.timeoutMs,
        rejectUnauthorized: endpoints.verifyPeer,
        ca: endpoints.ca,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) request.destroy(new Error(`answer larger than ${MAX_BODY_BYTES} bytes`));
          else chunks.push(chunk);
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${endpoints.timeoutMs} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}

/** allow / deny from a 2xx or 4xx answer; undefined for anything to try again. */
function judge(reply: Reply, mode: HttpEndpoints['responseMode']): boolean | undefined {
  if (reply.status >= 400 && reply.status < 500) return false;
  if (reply.status < 200 || reply.status >= 300) return undefined;
  if (mode === 'text') return reply.body.trim() === 'ok';
  if (mode === 'json') {
    try {
      return (JSON.parse(reply.body) as { ok?: unknown }).ok === true;
    } catch {
      return false;
    }
  }
  return true;
}

const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));

/** True for allow, false for deny; throws HttpAuthError when the server could not give an answer. */
export async function ask(endpoints: HttpEndpoints, uri: string, fields: Fields): Promise<boolean> {
  let last = '';
  for (let attempt = 0; attempt <= endpoints.retryCount; attempt++) {
    if (attempt > 0) await sleep(RETRY_DELAY_MS * attempt);
    try {
      const reply = await post(endpoints, uri, fields);
      const verdict = judge(reply, endpoints.responseMode);
      if (verdict !== undefined) return verdict;
      last = `HTTP ${reply.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
  }
  const scheme = endpoints.tls ? 'https' : 'http';
  throw new HttpAuthError(
    `MIDGE_AUTH_HTTP_UNAVAILABLE: ${scheme}://${endpoints.host}:${endpoints.port}${uri} gave no answer after ` +
      `${endpoints.retryCount + 1} tries (${last})`,
  );
}

// A local HTTP server receiving webhooks, for tests: records each POST by path and lets a test wait for one.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sleep } from '../interop/support.js';

export interface ReceivedHook {
  path: string;
  event: string;
  body: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- event JSON
}

export class HookReceiver {
  readonly received: ReceivedHook[] = [];
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<HookReceiver> {
    const server = createServer();
    const receiver = new HookReceiver(server);
    server.on('request', (request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString()));
      request.on('end', () => {
        receiver.received.push({
          path: request.url ?? '',
          event: String(request.headers['x-midge-event']),
          body: JSON.parse(text) as Record<string, unknown>,
        });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    return receiver;
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}${path}`;
  }

  /** The first received hook the predicate accepts, waiting up to 8 s for it. */
  async waitFor(predicate: (hook: ReceivedHook) => boolean, what: string): Promise<ReceivedHook> {
    const deadline = Date.now() + 8000;
    for (;;) {
      const found = this.received.find(predicate);
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        const seen = this.received.map((r) => `${r.path} ${r.event} ${r.body.message?.topic ?? ''}`);
        throw new Error(`timed out waiting for ${what}; received: ${JSON.stringify(seen)}`);
      }
      await sleep(25);
    }
  }

  close(): Promise<void> {
    return new Promise((ok) => this.#server.close(() => ok()));
  }
}

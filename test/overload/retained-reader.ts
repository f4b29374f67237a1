// A subscriber that counts what a retained-set stream brings: over a raw TCP socket or a WebSocket, reading
// as fast as it can or pausing its socket now and then (a slow reader), acknowledging QoS 1 as it goes.
import { connect, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { FrameDecoder } from '../../src/protocol/decoder.js';
import { encode } from '../../src/protocol/encoder.js';
import type { Packet, PublishPacket, QoS } from '../../src/protocol/types.js';

export interface ReaderOptions {
  transport: 'tcp' | 'ws';
  clientId: string;
  filter: string;
  qos: QoS;
  clean?: boolean;
  /** Slow reader: stop reading for `pauseMs` every `every` messages. */
  slow?: { every: number; pauseMs: number };
  /** Called for every PUBLISH as it arrives. */
  onPublish?: (packet: PublishPacket) => void;
}

export interface RetainedReader {
  /** Distinct topics received with RETAIN=1. */
  readonly topics: Set<string>;
  /** PUBLISH packets received with RETAIN=0 (live messages). */
  readonly live: PublishPacket[];
  /** PUBLISH packets received in all. */
  readonly count: number;
  /** Resolves when `n` retained topics have arrived; rejects once none arrives for `timeoutMs` (or after 4×). */
  waitForTopics(n: number, timeoutMs: number): Promise<void>;
  /** Stops reading from the socket until resume(). */
  pause(): void;
  resume(): void;
  /** Drops the connection without DISCONNECT. */
  destroy(): void;
  close(): void;
}

/** Connects (3.1.1), subscribes to the filter and counts. Resolves after the SUBACK. */
export async function openReader(port: number, options: ReaderOptions): Promise<RetainedReader> {
  const decoder = new FrameDecoder({ role: 'client', protocolVersion: 4 });
  const topics = new Set<string>();
  const live: PublishPacket[] = [];
  let count = 0;
  let wake: (() => void) | undefined;
  let suback: (() => void) | undefined;
  const pipe = await openPipe(options.transport, port);
  const onPacket = (packet: Packet): void => {
    if (packet.type === 'suback') suback?.();
    if (packet.type !== 'publish') return;
    count++;
    if (packet.retain) topics.add(packet.topic);
    else live.push(packet);
    options.onPublish?.(packet);
    if (packet.qos === 1) pipe.write(encode({ type: 'puback', packetId: packet.packetId as number }, 4));
    const slow = options.slow;
    if (slow !== undefined && count % slow.every === 0) {
      pipe.pause();
      setTimeout(() => pipe.resume(), slow.pauseMs);
    }
    wake?.();
  };
  pipe.onData((chunk) => decoder.push(chunk, onPacket));
  const subscribed = new Promise<void>((resolve) => (suback = resolve));
  pipe.write(
    encode(
      {
        type: 'connect',
        protocolName: 'MQTT',
        protocolVersion: 4,
        clean: options.clean ?? true,
        keepalive: 60,
        clientId: options.clientId,
      },
      4,
    ),
  );
  pipe.write(
    encode(
      { type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: options.filter, qos: options.qos }] },
      4,
    ),
  );
  await subscribed;
  return {
    topics,
    live,
    get count() {
      return count;
    },
    async waitForTopics(n, timeoutMs) {
      // timeoutMs bounds a stall, not the whole set: a lost message shows as the stream stopping short, while
      // a loaded CI machine only makes a set that keeps arriving slower. The whole wait is still bounded.
      const started = Date.now();
      const cap = started + 4 * timeoutMs;
      let deadline = started + timeoutMs;
      let seen = topics.size;
      while (topics.size < n) {
        if (topics.size > seen) {
          seen = topics.size;
          deadline = Math.min(cap, Date.now() + timeoutMs);
        }
        const left = deadline - Date.now();
        if (left <= 0) {
          const waited = Date.now() - started;
          throw new Error(
            `${topics.size} of ${n} retained messages arrived in ${waited} ms (stalled or too slow)`,
          );
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 100));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    },
    pause: () => pipe.pause(),
    resume: () => pipe.resume(),
    destroy: () => pipe.destroy(),
    close: () => {
      pipe.write(encode({ type: 'disconnect' }, 4));
      pipe.end();
    },
  };
}

interface Pipe {
  write(bytes: Buffer): void;
  onData(handler: (chunk: Buffer) => void): void;
  pause(): void;
  resume(): void;
  end(): void;
  destroy(): void;
}

function openPipe(transport: 'tcp' | 'ws', port: number): Promise<Pipe> {
  if (transport === 'tcp') {
    return new Promise((resolve, reject) => {
      const socket: Socket = connect({ port, host: '127.0.0.1', noDelay: true }, () => {
        socket.off('error', reject);
        socket.on('error', () => undefined);
        resolve({
          write: (bytes) => socket.write(bytes),
          onData: (handler) => socket.on('data', handler),
          pause: () => socket.pause(),
          resume: () => socket.resume(),
          end: () => socket.end(),
          destroy: () => socket.destroy(),
        });
      });
      socket.once('error', reject);
    });
  }
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/mqtt`, 'mqtt');
    ws.once('error', reject);
    ws.once('open', () => {
      ws.off('error', reject);
      ws.on('error', () => undefined);
      resolve({
        write: (bytes) => ws.send(bytes, { binary: true }),
        onData: (handler) => ws.on('message', (data: Buffer) => handler(data)),
        pause: () => ws.pause(),
        resume: () => ws.resume(),
        end: () => ws.close(),
        destroy: () => ws.terminate(),
      });
    });
  });
}

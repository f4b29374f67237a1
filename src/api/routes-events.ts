// GET /api/v1/events: broker events as a server-sent event stream (superusers only). Each connection has a
// bounded send buffer: a reader that falls behind is disconnected, the broker never waits for it.
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { BROKER_EVENTS, isValidTopicFilter } from '../index.js';
import type { Broker } from '../index.js';
import type { ApiAuth } from './http-api.js';
import { sendError } from './errors.js';

/** Bytes a stream may have waiting for a slow reader before it is dropped. */
export const MAX_STREAM_BUFFER = 256 * 1024;
const MAX_STREAMS = 64;
const HEARTBEAT_MS = 15_000;

interface EventsQuery {
  events?: string;
  clientId?: string;
  topic?: string | string[];
}

export function registerEventRoutes(app: FastifyInstance, broker: Broker, auth: ApiAuth): void {
  const streams = new Set<ServerResponse>();
  // Hijacked responses are not fastify's to close: end them, or the server waits for them forever.
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.end();
  });

  app.get<{ Querystring: EventsQuery }>('/api/v1/events', async (request, reply) => {
    if ((await auth.admin(request, reply)) === undefined) return reply;
    const events = (request.query.events ?? '').split(',').filter((e) => e !== '');
    const unknown = events.find((e) => !(BROKER_EVENTS as readonly string[]).includes(e));
    if (unknown !== undefined) {
      return sendError(reply, 400, 'MIDGE_API_BAD_REQUEST', `unknown event '${unknown}'`);
    }
    const topic = request.query.topic;
    const topics = topic === undefined ? [] : Array.isArray(topic) ? topic : [topic];
    const bad = topics.find((f) => !isValidTopicFilter(f));
    if (bad !== undefined) {
      return sendError(reply, 400, 'MIDGE_API_BAD_REQUEST', `'${bad}' is not a topic filter`);
    }
    if (streams.size >= MAX_STREAMS) {
      return sendError(reply, 503, 'MIDGE_API_TOO_MANY_STREAMS', `at most ${MAX_STREAMS} event streams`);
    }
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    });
    raw.write(': midge events\n\n');
    streams.add(raw);
    let seq = 0;
    const stop = broker.control.watch({ events, topics, clientId: request.query.clientId }, (event, data) => {
      if (raw.writableLength > MAX_STREAM_BUFFER) {
        // Too slow: drop this reader rather than buffer without bound.
        raw.destroy();
        return;
      }
      seq++;
      const body = JSON.stringify({ event, time: new Date().toISOString(), ...data });
      raw.write(`id: ${seq}\nevent: ${event}\ndata: ${body}\n\n`);
    });
    const heartbeat = setInterval(() => raw.write(': ping\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    raw.on('close', () => {
      stop();
      clearInterval(heartbeat);
      streams.delete(raw);
    });
    return reply;
  });
}

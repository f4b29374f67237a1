// The console's topic view over the TopicTracker: a tree by level, a search, and a topic's numeric series as
// JSON or CSV (superusers only). Tracking runs only while these routes are being asked.
import type { FastifyInstance } from 'fastify';
import type { Broker } from '../index.js';
import type { ApiAuth } from './auth.js';
import { pageQuery } from './openapi-extra.js';
import { TopicTracker, type Series, type TopicEntry } from './topic-tracker.js';

function topicJson(entry: TopicEntry): object {
  return {
    topic: entry.topic,
    count: entry.count,
    rate: entry.rate,
    lastAt: new Date(entry.last).toISOString(),
    retained: entry.retained,
    payload: entry.preview.toString('utf8'),
    size: entry.size,
    truncated: entry.size > entry.preview.length,
  };
}

interface Child {
  level: string;
  path: string;
  topics: number;
  rate: number;
  topic?: object;
}

/** The levels right below `prefix` ('' = the top), each with how many topics lie beneath and their rate. */
function childrenOf(entries: Iterable<TopicEntry>, prefix: string): Child[] {
  const start = prefix === '' ? '' : `${prefix}/`;
  const children = new Map<string, Child>();
  for (const entry of entries) {
    if (!entry.topic.startsWith(start) || entry.topic === prefix) continue;
    const rest = entry.topic.slice(start.length);
    const slash = rest.indexOf('/');
    const level = slash < 0 ? rest : rest.slice(0, slash);
    const path = start + level;
    let child = children.get(level);
    if (child === undefined) children.set(level, (child = { level, path, topics: 0, rate: 0 }));
    child.topics++;
    child.rate += entry.rate;
    if (slash < 0) child.topic = topicJson(entry);
  }
  return [...children.values()].sort((a, b) => (a.level < b.level ? -1 : a.level > b.level ? 1 : 0));
}

function fieldName(field: string): string {
  return field === '' ? 'value' : field;
}

/** RFC 4180 quoting; a leading = + - @ is neutralised so a spreadsheet never runs a field name as a formula. */
function csvCell(text: string): string {
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function seriesCsv(series: Series): string {
  const fields = [...series.fields.keys()];
  const lines = [['time', ...fields.map(fieldName)].map(csvCell).join(',')];
  series.times.forEach((time, i) => {
    const values = fields.map((f) => series.fields.get(f)?.[i] ?? '');
    lines.push([new Date(time).toISOString(), ...values].join(','));
  });
  return lines.join('\r\n') + '\r\n';
}

const topicQuery = {
  type: 'object',
  required: ['topic'],
  properties: { topic: { type: 'string', minLength: 1 } },
} as const;

export function registerTopicRoutes(
  app: FastifyInstance,
  broker: Broker,
  auth: ApiAuth,
  capacity: number,
): void {
  const tracker = new TopicTracker(broker, capacity);
  app.addHook('onClose', async () => tracker.stop());

  app.get<{ Querystring: { prefix?: string } }>(
    '/api/v1/topics/tree',
    { schema: { querystring: { type: 'object', properties: { prefix: { type: 'string' } } } } },
    async (request, reply) => {
      if ((await auth.admin(request, reply)) === undefined) return reply;
      const prefix = request.query.prefix ?? '';
      const here = prefix === '' ? undefined : tracker.get(prefix);
      return {
        prefix,
        tracked: tracker.size,
        capacity,
        topic: here === undefined ? undefined : topicJson(here),
        children: childrenOf(tracker.entries(), prefix),
      };
    },
  );

  app.get<{ Querystring: { search?: string; limit: number; offset: number } }>(
    '/api/v1/topics',
    {
      schema: {
        querystring: { type: 'object', properties: { search: { type: 'string' }, ...pageQuery } },
      },
    },
    async (request, reply) => {
      if ((await auth.admin(request, reply)) === undefined) return reply;
      const { search = '', limit, offset } = request.query;
      const found = [...tracker.entries()]
        .filter((e) => e.topic.includes(search))
        .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
      return {
        topics: found.slice(offset, offset + limit).map(topicJson),
        total: found.length,
        limit,
        offset,
      };
    },
  );

  app.get<{ Querystring: { topic: string } }>(
    '/api/v1/topics/series',
    { schema: { querystring: topicQuery } },
    async (request, reply) => {
      if ((await auth.admin(request, reply)) === undefined) return reply;
      const series = tracker.watch(request.query.topic);
      return {
        topic: request.query.topic,
        times: series.times,
        fields: [...series.fields].map(([field, values]) => ({ field: fieldName(field), values })),
      };
    },
  );

  app.get<{ Querystring: { topic: string } }>(
    '/api/v1/topics/series.csv',
    { schema: { querystring: topicQuery } },
    async (request, reply) => {
      if ((await auth.admin(request, reply)) === undefined) return reply;
      const name = request.query.topic.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 100);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}.csv"`)
        .send(seriesCsv(tracker.watch(request.query.topic)));
    },
  );
}

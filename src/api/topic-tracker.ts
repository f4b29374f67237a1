// The console's live topic view: the N most recently published topics with a message count, rate, last payload
// (its first bytes) and retained flag, plus numeric series for the few topics whose page is open.
//
// Off the hot path: the tracker is an `onPublished` observer registered only while a console asks for topics
// (it removes itself a minute after the last request), so a broker nobody watches pays nothing. While on, a
// message costs one Map lookup and a few field writes: no clock read (a coarse clock ticks once a second) and
// no copy. The last payload is kept by reference and copied (its first PREVIEW_BYTES) by the one-second tick
// or when the console reads it, so at most one second of received data stays referenced; a first version that
// copied and read the clock per message cost a quarter of QoS 0 throughput per broker CPU-second. Payloads
// are parsed as numbers only for watched topics. Bounded: past `capacity` topics, the least recently published
// ones go in one sweep (amortised, no per-message ordering).
import type { Broker } from '../index.js';

/** Bytes of the last payload kept per topic: enough to read a reading, too few to hold memory. */
export const PREVIEW_BYTES = 256;
/** Points kept per watched topic and field (an hour at one message a second). */
export const SERIES_POINTS = 3600;
/** Topics whose numbers are recorded at one time (topic pages open across all consoles). */
export const MAX_WATCHED = 32;
/** A watched topic's payloads are parsed at most this often (10 points a second). */
export const SAMPLE_MS = 100;
const IDLE_MS = 60_000;
const WATCH_MS = 30_000;

export interface TopicEntry {
  topic: string;
  count: number;
  /** Messages per second over the last second. */
  rate: number;
  last: number;
  retained: boolean;
  preview: Buffer;
  /** The last payload, not yet copied into `preview` (a view that may pin its socket read buffer). */
  pending: Buffer | undefined;
  /** Full payload length of the last message. */
  size: number;
  countAtTick: number;
}

export interface Series {
  /** Unix ms of each point. */
  times: number[];
  /** Values per field ('' = the payload is a plain number; else a JSON path like 'temp' or 'env.temp'). */
  fields: Map<string, (number | null)[]>;
  watchedUntil: number;
  /** Unix ms of the last point recorded. */
  recordedAt: number;
}

export class TopicTracker {
  readonly #broker: Broker;
  readonly #capacity: number;
  readonly #topics = new Map<string, TopicEntry>();
  readonly #series = new Map<string, Series>();
  #stopObserving: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastRequest = 0;
  /** Unix ms, advanced by the tick: a message's time is known to the second. */
  #now = Date.now();

  constructor(broker: Broker, capacity: number) {
    this.#broker = broker;
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#topics.size;
  }

  /** Every entry (the caller filters and pages); starts tracking if it was off. */
  entries(): IterableIterator<TopicEntry> {
    this.#touch();
    this.#copyPending();
    return this.#topics.values();
  }

  get(topic: string): TopicEntry | undefined {
    this.#touch();
    const entry = this.#topics.get(topic);
    if (entry !== undefined) copyPending(entry);
    return entry;
  }

  /** The numeric series of a topic, recording it from now on (for WATCH_MS after the last call). */
  watch(topic: string): Series {
    this.#touch();
    let series = this.#series.get(topic);
    if (series === undefined) {
      if (this.#series.size >= MAX_WATCHED) this.#dropOldestWatch();
      series = { times: [], fields: new Map(), watchedUntil: 0, recordedAt: 0 };
      this.#series.set(topic, series);
      const entry = this.#topics.get(topic);
      if (entry !== undefined && entry.size === entry.preview.length)
        record(series, entry.last, entry.preview);
    }
    series.watchedUntil = Date.now() + WATCH_MS;
    return series;
  }

  stop(): void {
    this.#stopObserving?.();
    this.#stopObserving = undefined;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #touch(): void {
    this.#lastRequest = this.#now = Date.now();
    if (this.#stopObserving !== undefined) return;
    this.#stopObserving = this.#broker.control.addHooks({
      name: 'console-topics',
      onPublished: ({ message }) => this.#observe(message.topic, message.payload, message.retain),
    });
    this.#timer = setInterval(() => this.#tick(), 1000);
    this.#timer.unref();
  }

  #observe(topic: string, payload: Buffer, retain: boolean): void {
    let entry = this.#topics.get(topic);
    if (entry === undefined) {
      if (topic.startsWith('$')) return;
      entry = {
        topic,
        count: 0,
        rate: 0,
        last: 0,
        retained: false,
        preview: EMPTY,
        pending: undefined,
        size: 0,
        countAtTick: 0,
      };
      this.#topics.set(topic, entry);
      if (this.#topics.size > this.#capacity * 1.1) this.#evict();
    }
    entry.count++;
    entry.last = this.#now;
    entry.retained = retain;
    entry.pending = payload;
    if (this.#series.size > 0) {
      const series = this.#series.get(topic);
      if (series !== undefined) {
        // Parsing is the costly part: a busy topic is sampled, at most one point per SAMPLE_MS.
        const now = Date.now();
        if (now - series.recordedAt >= SAMPLE_MS) record(series, now, payload);
      }
    }
  }

  #copyPending(): void {
    for (const entry of this.#topics.values()) copyPending(entry);
  }

  #tick(): void {
    const now = (this.#now = Date.now());
    if (now - this.#lastRequest > IDLE_MS) {
      // Nobody looked for a minute: stop observing (the last state stays for the next visit).
      this.stop();
      return;
    }
    for (const entry of this.#topics.values()) {
      entry.rate = entry.count - entry.countAtTick;
      entry.countAtTick = entry.count;
      copyPending(entry);
    }
    for (const [topic, series] of this.#series) if (series.watchedUntil < now) this.#series.delete(topic);
  }

  /** Keeps the `capacity` most recently published topics. */
  #evict(): void {
    const keep = [...this.#topics.values()].sort((a, b) => b.last - a.last).slice(0, this.#capacity);
    this.#topics.clear();
    for (const entry of keep) this.#topics.set(entry.topic, entry);
  }

  #dropOldestWatch(): void {
    let oldest: string | undefined;
    let until = Infinity;
    for (const [topic, series] of this.#series) {
      if (series.watchedUntil < until) [oldest, until] = [topic, series.watchedUntil];
    }
    if (oldest !== undefined) this.#series.delete(oldest);
  }
}

const EMPTY = Buffer.alloc(0);

/** The last payload's first bytes become the entry's own copy; the view into the read buffer is let go. */
function copyPending(entry: TopicEntry): void {
  const payload = entry.pending;
  if (payload === undefined) return;
  entry.pending = undefined;
  entry.size = payload.length;
  entry.preview = Buffer.from(payload.subarray(0, PREVIEW_BYTES));
}

/** Adds one point: a plain number, or each number field of a JSON object (nested by dotted path). */
function record(series: Series, time: number, payload: Buffer): void {
  const values = numbersOf(payload);
  if (values.size === 0) return;
  series.recordedAt = time;
  const index = series.times.length;
  series.times.push(time);
  for (const [field, value] of values) {
    let column = series.fields.get(field);
    if (column === undefined) {
      column = new Array<number | null>(index).fill(null);
      series.fields.set(field, column);
    }
    column.push(value);
  }
  for (const column of series.fields.values()) if (column.length <= index) column.push(null);
  if (series.times.length > SERIES_POINTS) {
    series.times.shift();
    for (const column of series.fields.values()) column.shift();
  }
}

/** The numbers in a payload: '' for a plain number, dotted paths for JSON number fields (at most 16). */
export function numbersOf(payload: Buffer): Map<string, number> {
  const found = new Map<string, number>();
  if (payload.length === 0 || payload.length > 4096) return found;
  const text = payload.toString('utf8').trim();
  const plain = Number(text);
  if (text !== '' && Number.isFinite(plain)) {
    found.set('', plain);
    return found;
  }
  if (!text.startsWith('{')) return found;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return found;
  }
  const walk = (value: unknown, path: string, depth: number): void => {
    if (found.size >= 16 || depth > 3) return;
    if (typeof value === 'number' && Number.isFinite(value)) found.set(path, value);
    else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value))
        walk(inner, path === '' ? key : `${path}.${key}`, depth + 1);
    }
  };
  walk(parsed, '', 0);
  return found;
}

// The sending side of the inter-node streams: records for each destination node collect during one turn of
// the event loop and leave as ONE XADD per node (never one per message). At most one XADD per node is in
// flight; what arrives meanwhile waits for the next, so batches grow with the load and order per destination
// is the order of forward() calls (per-publisher order, [MQTT-4.6.0-5]).
import { encodeBatch } from '../wire.js';
import { KEYS } from './keys.js';
import type { RedisConnection } from './connection.js';

/** Stream entries kept per node (approximate trim by Redis): a reader this far behind loses the oldest. */
const STREAM_MAX_ENTRIES = '10000';
/** Records waiting for one node while Redis is away; past this the oldest QoS 1/2 record is dropped. */
const MAX_WAITING_RECORDS = 100_000;
/** Records per XADD at most, so one entry stays a reasonable size. */
const MAX_BATCH_RECORDS = 2_000;
const RETRY_MS = 200;

interface Lane {
  readonly node: string;
  records: Buffer[];
  /** Highest QoS of each record (0 ones are dropped when a write fails). */
  qos: number[];
  /** A batch written but not acknowledged yet: resent unchanged (same seq) after a failure. */
  inFlight: { batch: Buffer; count: number; seq: number } | undefined;
  seq: number;
  /** Serial numbers: records ever queued, and records known to be in the stream. */
  queued: number;
  written: number;
  retry: NodeJS.Timeout | undefined;
}

interface Waiter {
  targets: Array<readonly [Lane, number]>;
  resolve(): void;
  reject(error: Error): void;
}

export interface OutboxEvents {
  /** A write failed / succeeded after failures: the bus logs the state change once. */
  failed(error: Error): void;
  recovered(): void;
  droppedQos0(count: number): void;
  /** QoS 1/2 records dropped because too many waited: their publishers were told nothing, they resend. */
  overflow(node: string, count: number): void;
  written(batches: number, records: number): void;
}

export class Outbox {
  readonly #instance: string;
  readonly #redis: RedisConnection;
  readonly #events: OutboxEvents;
  readonly #lanes = new Map<string, Lane>();
  #waiters: Waiter[] = [];
  #scheduled = false;
  #failing = false;
  #closed = false;

  constructor(instance: string, redis: RedisConnection, events: OutboxEvents) {
    this.#instance = instance;
    this.#redis = redis;
    this.#events = events;
  }

  /** Queues one encoded record for `node`; it leaves with this turn's batch. */
  push(node: string, record: Buffer, qos: number): void {
    if (this.#closed) return;
    let lane = this.#lanes.get(node);
    if (lane === undefined) {
      lane = {
        node,
        records: [],
        qos: [],
        inFlight: undefined,
        seq: 0,
        queued: 0,
        written: 0,
        retry: undefined,
      };
      this.#lanes.set(node, lane);
    }
    if (lane.records.length >= MAX_WAITING_RECORDS) this.#overflow(lane);
    lane.records.push(record);
    lane.qos.push(qos);
    lane.queued++;
    if (!this.#scheduled) {
      this.#scheduled = true;
      // After every socket read of this loop turn: one batch collects them all.
      setImmediate(this.#flushAll);
    }
  }

  /** True while some queued record is not yet known to be in its stream. */
  get pending(): boolean {
    for (const lane of this.#lanes.values()) if (lane.written < lane.queued) return true;
    return false;
  }

  /** Settles once every record queued so far is in its stream; waiters settle in the order they asked. */
  settled(): Promise<void> {
    const targets: Array<readonly [Lane, number]> = [];
    for (const lane of this.#lanes.values())
      if (lane.written < lane.queued) targets.push([lane, lane.queued]);
    if (targets.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ targets, resolve, reject }));
  }

  /** A node left the cluster: what waits for it will never be read; stop writing to it. */
  dropNode(node: string): void {
    const lane = this.#lanes.get(node);
    if (lane === undefined || lane.inFlight !== undefined) return;
    clearTimeout(lane.retry);
    lane.written = lane.queued; // nobody will read them; acknowledging is right, the messages had no reader
    this.#lanes.delete(node);
    this.#settle();
  }

  close(): void {
    this.#closed = true;
    for (const lane of this.#lanes.values()) clearTimeout(lane.retry);
    const error = new Error('MIDGE_CLUSTER_STOPPED: the node stopped before the message reached its stream');
    for (const waiter of this.#waiters) waiter.reject(error);
    this.#waiters = [];
  }

  readonly #flushAll = (): void => {
    this.#scheduled = false;
    for (const lane of this.#lanes.values()) this.#send(lane);
  };

  #send(lane: Lane): void {
    if (this.#closed || lane.inFlight !== undefined || lane.retry !== undefined || lane.records.length === 0)
      return;
    const count = Math.min(lane.records.length, MAX_BATCH_RECORDS);
    const records = lane.records.slice(0, count);
    lane.seq++;
    const inFlight = { batch: encodeBatch(this.#instance, lane.seq, records), count, seq: lane.seq };
    lane.inFlight = inFlight;
    this.#write(lane, inFlight);
  }

  #write(lane: Lane, inFlight: { batch: Buffer; count: number; seq: number }): void {
    const key = KEYS.stream(lane.node);
    this.#redis.xadd(key, 'MAXLEN', '~', STREAM_MAX_ENTRIES, '*', 'b', inFlight.batch).then(
      () => {
        lane.inFlight = undefined;
        lane.records.splice(0, inFlight.count);
        lane.qos.splice(0, inFlight.count);
        lane.written += inFlight.count;
        if (this.#failing) {
          this.#failing = false;
          this.#events.recovered();
        }
        this.#events.written(1, inFlight.count);
        this.#settle();
        this.#send(lane);
      },
      (error: Error) => {
        lane.inFlight = undefined;
        if (!this.#failing) {
          this.#failing = true;
          this.#events.failed(error);
        }
        this.#dropQos0(lane, inFlight.count);
        // The same sequence number goes again: if the failed XADD did land, the reader skips the copy.
        lane.seq = inFlight.seq - 1;
        lane.retry = setTimeout(() => {
          lane.retry = undefined;
          this.#send(lane);
        }, RETRY_MS);
      },
    );
  }

  /** Redis could not take a batch: its QoS 0 messages are dropped (and counted), the rest wait [issue 13]. */
  #dropQos0(lane: Lane, count: number): void {
    let dropped = 0;
    for (let i = count - 1; i >= 0; i--) {
      if (lane.qos[i] === 0) {
        lane.records.splice(i, 1);
        lane.qos.splice(i, 1);
        dropped++;
      }
    }
    if (dropped === 0) return;
    lane.written += dropped; // nobody waits for a QoS 0 message
    this.#events.droppedQos0(dropped);
    this.#settle();
  }

  /** Too much waits for one node: the oldest go, and every publisher waiting is told it failed. */
  #overflow(lane: Lane): void {
    const count = Math.floor(MAX_WAITING_RECORDS / 10);
    lane.records.splice(0, count);
    lane.qos.splice(0, count);
    lane.written += count;
    this.#events.overflow(lane.node, count);
    const error = new Error(`MIDGE_CLUSTER_BACKLOG: messages for node ${lane.node} could not be stored`);
    for (const waiter of this.#waiters) waiter.reject(error);
    this.#waiters = [];
  }

  #settle(): void {
    let done = 0;
    for (const waiter of this.#waiters) {
      if (!waiter.targets.every(([lane, serial]) => lane.written >= serial)) break;
      waiter.resolve();
      done++;
    }
    if (done > 0) this.#waiters.splice(0, done);
  }
}

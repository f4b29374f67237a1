// Prometheus metrics (prom-client). Every figure is read from a snapshot taken at scrape time, so the
// broker's hot paths only bump plain counters and never touch prom-client.
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import type { Registry } from 'prom-client';

/** prom-client (and the ~100 modules it pulls in) is loaded when metrics are first asked for, not at start. */
function promClient(): typeof PromClient {
  return createRequire(import.meta.url)('prom-client') as typeof PromClient;
}

/** The broker's figures at one moment; filled by the broker, rendered here. */
export interface MetricsSnapshot {
  connections: number;
  connectionsTotal: number;
  sessions: number;
  subscriptions: number;
  retained: number;
  receivedByQos: readonly number[];
  sentByQos: readonly number[];
  bytesReceived: number;
  bytesSent: number;
  publishBytesReceived: number;
  publishBytesSent: number;
  droppedByReason: ReadonlyMap<string, number>;
  /** [provider, check, decision, count] */
  authDecisions: readonly (readonly [string, string, string, number])[];
  inflight: number;
  queued: number;
  /** Histograms counted by the broker in fixed buckets (buckets not cumulative, +Inf last). */
  histograms: readonly {
    name: string;
    help: string;
    histogram: { bounds: readonly number[]; buckets: readonly number[]; sum: number; count: number };
  }[];
  /** Extra counters by name (envelope rejections, webhook failures, ...), label `reason`. */
  extra: ReadonlyMap<string, { help: string; byReason: ReadonlyMap<string, number> }>;
}

type Snap = () => MetricsSnapshot;

/** One registry per broker (no prom-client global registry), rendered from the latest snapshot. */
export class BrokerMetrics {
  readonly #registry: Registry;
  #snapshot: MetricsSnapshot | undefined;

  constructor() {
    const { Counter, Gauge, Registry } = promClient();
    this.#registry = new Registry();
    const snap: Snap = () => this.#snapshot as MetricsSnapshot;
    const gauge = (name: string, help: string, read: (s: MetricsSnapshot) => number): void => {
      new Gauge({
        name,
        help,
        registers: [this.#registry],
        collect() {
          this.set(read(snap()));
        },
      });
    };
    const counter = (name: string, help: string, read: (s: MetricsSnapshot) => number): void => {
      new Counter({
        name,
        help,
        registers: [this.#registry],
        collect() {
          this.reset();
          this.inc(read(snap()));
        },
      });
    };
    gauge('midge_connections', 'Clients connected now', (s) => s.connections);
    counter('midge_connections_total', 'Network connections accepted', (s) => s.connectionsTotal);
    gauge('midge_sessions', 'Sessions held, connected or not', (s) => s.sessions);
    gauge('midge_subscriptions', 'Subscriptions held', (s) => s.subscriptions);
    gauge('midge_retained_messages', 'Retained messages stored', (s) => s.retained);
    gauge('midge_inflight_messages', 'Outbound QoS 1/2 messages awaiting acknowledgement', (s) => s.inflight);
    gauge('midge_queued_messages', 'Messages queued for sessions (offline or window full)', (s) => s.queued);
    counter('midge_bytes_received_total', 'Bytes received from clients', (s) => s.bytesReceived);
    counter('midge_bytes_sent_total', 'Bytes sent to clients', (s) => s.bytesSent);
    this.#byQos('midge_messages_received_total', 'PUBLISH messages received, by QoS', (s) => s.receivedByQos);
    this.#byQos('midge_messages_sent_total', 'PUBLISH messages sent, by QoS', (s) => s.sentByQos);
    counter(
      'midge_publish_bytes_received_total',
      'PUBLISH payload bytes received',
      (s) => s.publishBytesReceived,
    );
    counter('midge_publish_bytes_sent_total', 'PUBLISH payload bytes sent', (s) => s.publishBytesSent);
    new Counter({
      name: 'midge_messages_dropped_total',
      help: 'Messages dropped, by reason',
      labelNames: ['reason'],
      registers: [this.#registry],
      collect() {
        this.reset();
        for (const [reason, n] of snap().droppedByReason) this.inc({ reason }, n);
      },
    });
    new Counter({
      name: 'midge_auth_decisions_total',
      help: 'Authentication and ACL answers, by provider, check and decision',
      labelNames: ['provider', 'check', 'decision'],
      registers: [this.#registry],
      collect() {
        this.reset();
        for (const [provider, check, decision, n] of snap().authDecisions) {
          this.inc({ provider, check, decision }, n);
        }
      },
    });
  }

  #byQos(name: string, help: string, read: (s: MetricsSnapshot) => readonly number[]): void {
    const snap = (): MetricsSnapshot => this.#snapshot as MetricsSnapshot;
    const { Counter } = promClient();
    new Counter({
      name,
      help,
      labelNames: ['qos'],
      registers: [this.#registry],
      collect() {
        this.reset();
        read(snap()).forEach((n, qos) => this.inc({ qos: String(qos) }, n));
      },
    });
  }

  get contentType(): string {
    return this.#registry.contentType;
  }

  async render(snapshot: MetricsSnapshot): Promise<string> {
    this.#snapshot = snapshot;
    const text = await this.#registry.metrics();
    return text + snapshot.histograms.map(renderHistogram).join('') + renderExtra(snapshot.extra);
  }
}

/** The broker counts its histograms in fixed buckets, so they are written here directly. */
function renderHistogram({ name, help, histogram }: MetricsSnapshot['histograms'][number]): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
  let cumulative = 0;
  histogram.bounds.forEach((bound, i) => {
    cumulative += histogram.buckets[i] ?? 0;
    lines.push(`${name}_bucket{le="${bound}"} ${cumulative}`);
  });
  cumulative += histogram.buckets[histogram.bounds.length] ?? 0;
  lines.push(
    `${name}_bucket{le="+Inf"} ${cumulative}`,
    `${name}_sum ${histogram.sum}`,
    `${name}_count ${histogram.count}`,
  );
  return lines.join('\n') + '\n';
}

function renderExtra(extra: MetricsSnapshot['extra']): string {
  let text = '';
  for (const [name, { help, byReason }] of extra) {
    text += `# HELP ${name} ${help}\n# TYPE ${name} counter\n`;
    for (const [reason, n] of byReason) text += `${name}{reason="${reason.replace(/["\\\n]/g, '_')}"} ${n}\n`;
  }
  return text;
}

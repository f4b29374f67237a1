// The scenarios: who connects, who publishes what, and which figure comes out. Each one is split into
// generator processes ("parts"); part 0 holds the publishers and the subscribers their window follows.

const FRAME_OVERHEAD = 16;
/** Bytes a QoS 0 window may leave in flight across all subscribers: keeps broker buffers bounded. */
const WINDOW_BYTES = 32 * 1024 * 1024;
const ACKED_WINDOW = 1000;

function qos0Window(payloadSize, subscribers) {
  const copies = (payloadSize + FRAME_OVERHEAD) * subscribers;
  return Math.max(16, Math.min(20000, Math.floor(WINDOW_BYTES / copies)));
}

/** One publisher to `subs` subscribers of one topic, subscribers spread over `parts` processes. */
function fanOut({ subs, qos = 0, payloadSize = 64, parts = 1 }) {
  return (ctx) => {
    const topic = `bench/${ctx.tag}`;
    const perPart = Math.ceil(subs / parts);
    const window = qos === 0 ? qos0Window(payloadSize, subs) : ACKED_WINDOW;
    return Array.from({ length: parts }, (_, p) => {
      const count = Math.min(perPart, subs - p * perPart);
      const subscribers = Array.from({ length: count }, (_, i) => ({
        id: `${ctx.tag}-s${p}-${i}`,
        filter: topic,
        qos,
      }));
      const publishers = p === 0 ? [{ id: `${ctx.tag}-p`, topic }] : [];
      return { mode: 'throughput', qos, payloadSize, window, localCopies: count, subscribers, publishers };
    });
  };
}

/** `pubs` publishers on their own topics to one wildcard subscriber. */
function fanIn({ pubs, payloadSize = 64 }) {
  return (ctx) => {
    const publishers = Array.from({ length: pubs }, (_, i) => ({
      id: `${ctx.tag}-p${i}`,
      topic: `bench/${ctx.tag}/${i}`,
    }));
    const subscribers = [{ id: `${ctx.tag}-s`, filter: `bench/${ctx.tag}/+`, qos: 0 }];
    const window = qos0Window(payloadSize, 1);
    return [{ mode: 'throughput', qos: 0, payloadSize, window, localCopies: 1, subscribers, publishers }];
  };
}

/** `groupSize` subscribers share one subscription; `pubs` publishers feed it. MQTT 5 clients. */
function sharedFanIn({ pubs, groupSize, payloadSize = 64 }) {
  return (ctx) => {
    const publishers = Array.from({ length: pubs }, (_, i) => ({
      id: `${ctx.tag}-p${i}`,
      topic: `bench/${ctx.tag}/${i}`,
    }));
    const subscribers = Array.from({ length: groupSize }, (_, i) => ({
      id: `${ctx.tag}-s${i}`,
      filter: `$share/bench/bench/${ctx.tag}/+`,
      qos: 0,
    }));
    const window = qos0Window(payloadSize, 1);
    return [
      {
        mode: 'throughput',
        version: 5,
        qos: 0,
        payloadSize,
        window,
        localCopies: 1,
        subscribers,
        publishers,
      },
    ];
  };
}

function latency({ rate }) {
  return (ctx) => {
    const topic = `bench/${ctx.tag}`;
    return [
      {
        mode: 'latency',
        rate,
        qos: 0,
        payloadSize: 64,
        window: 1,
        subscribers: [{ id: `${ctx.tag}-s`, filter: topic, qos: 0 }],
        publishers: [{ id: `${ctx.tag}-p`, topic }],
      },
    ];
  };
}

/** A loopback source address unique to run `tag` ('t12') and generator process `part`. */
function sourceAddress(tag, part) {
  const run = Number(tag.slice(1)) % 50000;
  return `127.${1 + Math.floor(run / 250)}.${run % 250}.${10 + part}`;
}

/** Idle connections, at most PER_PART per process, each process from its own loopback source address. */
const PER_PART = 5000;
function idle({ count }) {
  return (ctx) =>
    Array.from({ length: Math.ceil(count / PER_PART) }, (_, p) => ({
      mode: 'idle',
      count: Math.min(PER_PART, count - p * PER_PART),
      prefix: `${ctx.tag}-i${p}`,
      // 127.0.0.0/8 is all loopback: spreading source addresses keeps clear of the ephemeral port range.
      // Each run gets addresses of its own: the previous run's closed sockets sit in TIME_WAIT for a minute
      // on their source ports, and binding next to 10,000 of them slowed the generator of every later run
      // (the broker measured first in each round looked several times faster).
      localAddress: sourceAddress(ctx.tag, p),
      // Two processes x 128 stay under the listen backlog (511): more made SYNs wait for retransmits.
      parallel: 128,
    }));
}

/**
 * QoS 1 publishers to one persistent (CleanSession=0) subscriber that subscribed and went away: every message
 * is queued for it, on disk when the broker persists. The figure is PUBACKs per second at the publishers.
 */
function persistentQueue({ pubs, payloadSize = 64 }) {
  return (ctx) => {
    const publishers = Array.from({ length: pubs }, (_, i) => ({
      id: `${ctx.tag}-p${i}`,
      topic: `bench/${ctx.tag}/${i}`,
    }));
    const subscribers = [
      { id: `${ctx.tag}-s`, filter: `bench/${ctx.tag}/+`, qos: 1, clean: false, offline: true },
    ];
    return [
      {
        mode: 'throughput',
        figure: 'acked',
        qos: 1,
        payloadSize,
        window: ACKED_WINDOW,
        subscribers,
        publishers,
      },
    ];
  };
}

const throughput = { kind: 'throughput', unit: 'msg/s', better: 'higher', sink: true };

export const SCENARIOS = [
  { name: 'qos0', title: 'QoS 0 one-to-one, 64 B', ...throughput, parts: fanOut({ subs: 1 }) },
  { name: 'qos1', title: 'QoS 1 one-to-one, 64 B', ...throughput, parts: fanOut({ subs: 1, qos: 1 }) },
  { name: 'qos2', title: 'QoS 2 one-to-one, 64 B', ...throughput, parts: fanOut({ subs: 1, qos: 2 }) },
  // The console's Topics page costs the broker while it is open (the topic tracker observes every message):
  // the same QoS 0 one-to-one run with an HTTP API listener, once with nobody looking and once with a console
  // poller asking for the topic tree and the topic's series every second, as the open pages do.
  {
    name: 'console-closed',
    title: 'QoS 0 one-to-one, 64 B, HTTP API, console closed',
    ...throughput,
    sink: false,
    brokers: ['midge'],
    console: 'closed',
    parts: fanOut({ subs: 1 }),
  },
  {
    name: 'console-topics',
    title: 'QoS 0 one-to-one, 64 B, HTTP API, console Topics page open',
    ...throughput,
    sink: false,
    brokers: ['midge'],
    console: 'open',
    parts: fanOut({ subs: 1 }),
  },
  {
    name: 'payload-16k',
    title: 'QoS 0 one-to-one, 16 KiB',
    ...throughput,
    parts: fanOut({ subs: 1, payloadSize: 16384 }),
  },
  {
    name: 'fanout-100',
    title: 'fan-out 1→100, QoS 0 (deliveries/s)',
    ...throughput,
    parts: fanOut({ subs: 100, parts: 2 }),
  },
  {
    name: 'fanout-1000',
    title: 'fan-out 1→1000, QoS 0 (deliveries/s)',
    ...throughput,
    parts: fanOut({ subs: 1000, parts: 2 }),
  },
  { name: 'fanin-100', title: 'fan-in 100→1 wildcard, QoS 0', ...throughput, parts: fanIn({ pubs: 100 }) },
  {
    name: 'shared-fanin',
    title: 'shared subscription fan-in 100→4, QoS 0',
    ...throughput,
    sink: false,
    needs: 'shared-subscriptions',
    parts: sharedFanIn({ pubs: 100, groupSize: 4 }),
  },
  {
    name: 'websocket',
    title: 'WebSocket QoS 0 one-to-one, 64 B',
    ...throughput,
    sink: false,
    needs: 'websocket',
    transport: 'websocket',
    parts: fanOut({ subs: 1 }),
  },
  {
    name: 'persistent-qos1',
    title: 'QoS 1 4→1 to an offline persistent subscriber, persistence on (acks/s)',
    ...throughput,
    sink: false,
    persistence: true,
    // Midge durable, Midge without persistence (same queues, in memory), mosquitto with its persistence on.
    brokers: ['midge', 'baseline', 'midge-volatile', 'mosquitto'],
    parts: persistentQueue({ pubs: 4 }),
  },
  {
    name: 'latency',
    title: 'round trip at 5,000 msg/s, QoS 0',
    kind: 'latency',
    unit: 'µs',
    better: 'lower',
    parts: latency({ rate: 5000 }),
  },
  {
    name: 'idle-10k',
    title: '10,000 idle connections',
    kind: 'idle',
    count: 10000,
    parts: idle({ count: 10000 }),
  },
  {
    name: 'idle-50k',
    title: '50,000 idle connections',
    kind: 'idle',
    count: 50000,
    parts: idle({ count: 50000 }),
  },
];

// Medians, ratios to mosquitto and aedes from the same run, the terminal table and the targets.

export function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** Which figures a scenario reports: [key, label, unit, better]. */
export function figuresOf(scenario) {
  if (scenario.kind === 'latency') {
    return [
      ['p50', 'p50', 'µs', 'lower'],
      ['p99', 'p99', 'µs', 'lower'],
    ];
  }
  if (scenario.kind === 'idle') {
    return [
      ['connectRate', 'connect rate', 'conn/s', 'higher'],
      ['kibPerConnection', 'resident per conn', 'KiB', 'lower'],
      ['cpuMicrosPerConnection', 'broker CPU per connect', 'µs', 'lower'],
    ];
  }
  return [
    ['value', scenario.name.startsWith('fanout') ? 'deliveries/s' : 'msg/s', 'msg/s', 'higher'],
    ['perCpuSecond', 'per broker CPU-s', 'msg/s', 'higher'],
  ];
}

/** Adds `median`, `ratios` and the generator's peak CPU to one scenario's entry. */
export function summarize(scenario, entry) {
  entry.median = {};
  entry.generatorCpuMax = {};
  for (const [broker, runs] of Object.entries(entry.runs)) {
    const m = {};
    for (const [key] of figuresOf(scenario)) m[key] = median(runs.map((r) => r[key]));
    m.brokerCpu = median(runs.map((r) => r.brokerCpu));
    entry.median[broker] = m;
    entry.generatorCpuMax[broker] = Math.max(0, ...runs.map((r) => r.generatorCpu ?? 0));
  }
  entry.ratios = {};
  for (const [broker, m] of Object.entries(entry.median)) {
    const r = {};
    for (const ref of ['mosquitto', 'aedes', 'midge-volatile']) {
      const base = entry.median[ref];
      if (base === undefined || ref === broker) continue;
      for (const [key] of figuresOf(scenario)) r[`${key}/${ref}`] = m[key] / base[key];
    }
    entry.ratios[broker] = r;
  }
  return entry;
}

function fmt(value, unit) {
  if (value === undefined || !Number.isFinite(value)) return '-';
  if (unit === 'msg/s' || unit === 'conn/s') {
    if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
    if (value >= 1e3) return `${(value / 1e3).toFixed(1)}k`;
    return value.toFixed(0);
  }
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

const ratio = (x) => (x === undefined || !Number.isFinite(x) ? '-' : `${x.toFixed(2)}x`);

export function table(scenarios, results, brokers) {
  const volatile = brokers.includes('midge-volatile');
  const head = ['scenario', 'figure', ...brokers, 'sink', 'midge/mosq', 'midge/aedes'];
  if (volatile) head.push('midge/volatile');
  head.push('gen CPU% max');
  const rows = [head];
  for (const scenario of scenarios) {
    const entry = results[scenario.name];
    if (entry.skipped !== undefined) {
      rows.push([scenario.name, `skipped: ${entry.skipped}`]);
      continue;
    }
    for (const [key, label, unit] of figuresOf(scenario)) {
      const cells = brokers.map((b) => fmt(entry.median[b]?.[key], unit));
      const gen = Math.max(...Object.values(entry.generatorCpuMax));
      rows.push([
        scenario.name,
        `${label} (${unit})`,
        ...cells,
        fmt(entry.median.sink?.[key], unit),
        ratio(entry.ratios.midge?.[`${key}/mosquitto`]),
        ratio(entry.ratios.midge?.[`${key}/aedes`]),
        ...(volatile ? [ratio(entry.ratios.midge?.[`${key}/midge-volatile`])] : []),
        gen.toFixed(0),
      ]);
    }
  }
  const widths = head.map((_, i) =>
    Math.max(...rows.filter((r) => r.length > 2).map((r) => String(r[i] ?? '').length)),
  );
  return rows
    .map((r) =>
      r.length <= 2
        ? `${r[0].padEnd(widths[0])}  ${r[1]}`
        : r.map((c, i) => String(c).padEnd(widths[i])).join('  '),
    )
    .join('\n');
}

/** The targets of issue 8, judged from this run's ratios. */
export function targets(results) {
  const out = [];
  const r = (name) => results[name]?.ratios?.midge;
  for (const name of [
    'qos0',
    'qos1',
    'qos2',
    'payload-16k',
    'fanout-100',
    'fanout-1000',
    'fanin-100',
    'shared-fanin',
    'websocket',
  ]) {
    const x = r(name);
    if (x === undefined) {
      out.push({
        target: `${name}: ≥2x mosquitto, ≥5x aedes`,
        met: null,
        note: results[name]?.skipped ?? 'not run',
      });
      continue;
    }
    const m = x['value/mosquitto'];
    const a = x['value/aedes'];
    out.push({
      target: `${name}: ≥2x mosquitto, ≥5x aedes`,
      // A broker that cannot run the scenario (aedes has no MQTT 5) leaves only the other target.
      met: m >= 2 && (a === undefined || !Number.isFinite(a) || a >= 5),
      note: `${ratio(m)} / ${ratio(a)}; per broker CPU-s ${ratio(x['perCpuSecond/mosquitto'])} / ${ratio(x['perCpuSecond/aedes'])}`,
    });
  }
  const lat = r('latency');
  if (lat !== undefined) {
    out.push({
      target: 'latency p50 ≤1.5x mosquitto',
      met: lat['p50/mosquitto'] <= 1.5,
      note: ratio(lat['p50/mosquitto']),
    });
    out.push({
      target: 'latency p99 ≤2x mosquitto',
      met: lat['p99/mosquitto'] <= 2,
      note: ratio(lat['p99/mosquitto']),
    });
  }
  for (const name of ['idle-10k', 'idle-50k']) {
    const x = r(name);
    if (x === undefined) {
      out.push({
        target: `${name}: connect rate ≥4x aedes, ≤5 KiB per connection`,
        met: null,
        note: results[name]?.skipped ?? 'not run',
      });
      continue;
    }
    const kib = results[name].median.midge.kibPerConnection;
    out.push({
      target: `${name}: connect rate ≥4x aedes`,
      met: x['connectRate/aedes'] >= 4,
      note: ratio(x['connectRate/aedes']),
    });
    out.push({
      target: `${name}: ≤5 KiB resident per connection`,
      met: kib <= 5,
      note: `${kib.toFixed(2)} KiB`,
    });
  }
  return out;
}

// Live charts of the last 15 minutes, one sample a second: counters from /api/v1/stats turned into rates.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { get } from '../api.js';
import { Chart } from '../chart.js';
import { formatBytes, formatDuration, usePoll } from '../hooks.js';

interface Sample {
  time: number;
  uptimeSeconds: number;
  connections: number;
  sessions: number;
  subscriptions: number;
  retained: number;
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  dropped: number;
  authFailures: number;
  commits: number;
  commitSeconds: number;
}

interface OverviewInfo {
  version: string;
  uptimeSeconds: number;
  listeners: { host: string; port: number; protocol: string }[];
  nodes: string[];
}

const KEEP = 900;

/** Per-second series from consecutive counter samples. */
function seriesOf(samples: Sample[]) {
  const t: number[] = [];
  const connections: number[] = [];
  const inRate: number[] = [];
  const outRate: number[] = [];
  const bytesIn: number[] = [];
  const bytesOut: number[] = [];
  const dropped: number[] = [];
  const authFailures: number[] = [];
  const commitMs: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1] as Sample;
    const b = samples[i] as Sample;
    const dt = Math.max(0.001, (b.time - a.time) / 1000);
    t.push(b.time / 1000);
    connections.push(b.connections);
    inRate.push((b.messagesIn - a.messagesIn) / dt);
    outRate.push((b.messagesOut - a.messagesOut) / dt);
    bytesIn.push((b.bytesIn - a.bytesIn) / dt);
    bytesOut.push((b.bytesOut - a.bytesOut) / dt);
    dropped.push((b.dropped - a.dropped) / dt);
    authFailures.push((b.authFailures - a.authFailures) / dt);
    const commits = b.commits - a.commits;
    commitMs.push(commits > 0 ? ((b.commitSeconds - a.commitSeconds) / commits) * 1000 : 0);
  }
  return { t, connections, inRate, outRate, bytesIn, bytesOut, dropped, authFailures, commitMs };
}

export function Overview() {
  const [samples, setSamples] = useState<Sample[]>([]);
  const info = usePoll(() => get<OverviewInfo>('/api/v1/overview'), 10_000);
  useEffect(() => {
    let stopped = false;
    let last = 0;
    let timer = 0;
    const poll = async (): Promise<void> => {
      try {
        const { samples: fresh } = await get<{ samples: Sample[] }>(`/api/v1/stats?since=${last}`);
        if (stopped) return;
        if (fresh.length > 0) {
          last = (fresh[fresh.length - 1] as Sample).time;
          setSamples((old) => [...old, ...fresh].slice(-KEEP));
        }
      } catch {
        // The next poll tries again; a lost session shows the sign-in form through the API module.
      }
      if (!stopped) timer = window.setTimeout(() => void poll(), 1000);
    };
    void poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, []);
  const s = useMemo(() => seriesOf(samples), [samples]);
  const latest = samples[samples.length - 1];
  const rate = (values: number[]): string => Math.round(values[values.length - 1] ?? 0).toLocaleString('en');
  return (
    <section>
      <h1>Overview</h1>
      <dl class="figures">
        <div>
          <dt>Version</dt>
          <dd>{info.data?.version ?? '…'}</dd>
        </div>
        <div>
          <dt>Uptime</dt>
          <dd>{latest === undefined ? '…' : formatDuration(latest.uptimeSeconds)}</dd>
        </div>
        <div>
          <dt>Connections</dt>
          <dd>{latest?.connections ?? '…'}</dd>
        </div>
        <div>
          <dt>Sessions</dt>
          <dd>{latest?.sessions ?? '…'}</dd>
        </div>
        <div>
          <dt>Messages in per second</dt>
          <dd data-testid="rate-in">{rate(s.inRate)}</dd>
        </div>
        <div>
          <dt>Messages out per second</dt>
          <dd>{rate(s.outRate)}</dd>
        </div>
        <div>
          <dt>Messages received</dt>
          <dd>{latest?.messagesIn.toLocaleString('en') ?? '…'}</dd>
        </div>
        <div>
          <dt>Bytes in / out</dt>
          <dd>
            {latest === undefined ? '…' : `${formatBytes(latest.bytesIn)} / ${formatBytes(latest.bytesOut)}`}
          </dd>
        </div>
      </dl>
      <div class="charts">
        <Chart title="Connections" series={['connections']} data={[s.t, s.connections]} />
        <Chart title="Messages per second" series={['in', 'out']} data={[s.t, s.inRate, s.outRate]} />
        <Chart title="Bytes per second" series={['in', 'out']} data={[s.t, s.bytesIn, s.bytesOut]} />
        <Chart title="Dropped messages per second" series={['dropped']} data={[s.t, s.dropped]} />
        <Chart
          title="Authentication failures per second"
          series={['failures']}
          data={[s.t, s.authFailures]}
        />
        <Chart title="Store commit latency (ms)" series={['mean']} data={[s.t, s.commitMs]} />
      </div>
      <h2>Listeners</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Protocol</th>
            <th scope="col">Address</th>
            <th scope="col">Port</th>
          </tr>
        </thead>
        <tbody>
          {(info.data?.listeners ?? []).map((l) => (
            <tr key={`${l.protocol}:${l.host}:${l.port}`}>
              <td>{l.protocol}</td>
              <td>{l.host}</td>
              <td>{l.port}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

// One topic: its last message and a plot of the numbers in its payloads (plain numbers, JSON number fields),
// recorded while this page is open, with a CSV download of the same points.
import { useMemo } from 'preact/hooks';
import { get, query } from '../api.js';
import { Chart } from '../chart.js';
import { usePoll } from '../hooks.js';
import type { TopicInfo } from './topics.js';

interface SeriesAnswer {
  topic: string;
  times: number[];
  fields: { field: string; values: (number | null)[] }[];
}

export function TopicPage({ topic }: { topic: string }) {
  const series = usePoll(() => get<SeriesAnswer>(`/api/v1/topics/series${query({ topic })}`), 1000, [topic]);
  const info = usePoll(
    () => get<{ topic?: TopicInfo }>(`/api/v1/topics/tree${query({ prefix: topic })}`),
    1000,
    [topic],
  );
  const last = info.data?.topic;
  const seconds = useMemo(() => (series.data?.times ?? []).map((t) => t / 1000), [series.data]);
  const fields = series.data?.fields ?? [];
  return (
    <section>
      <p>
        <a href="#/topics">Topics</a>
      </p>
      <h1>Topic {topic}</h1>
      {last !== undefined && (
        <dl class="details">
          <dt>Messages</dt>
          <dd>{last.count}</dd>
          <dt>Messages per second</dt>
          <dd>{last.rate}</dd>
          <dt>Last message</dt>
          <dd>{last.lastAt}</dd>
          <dt>Retained</dt>
          <dd>{last.retained ? 'yes' : 'no'}</dd>
          <dt>Last payload</dt>
          <dd>
            <pre data-testid="last-payload">{last.payload}</pre>
          </dd>
        </dl>
      )}
      <h2>Numbers over time</h2>
      <p class="hint">Recorded while this page is open (up to an hour of points).</p>
      <p>
        <a href={`/api/v1/topics/series.csv${query({ topic })}`} download>
          Download CSV
        </a>
      </p>
      {fields.length === 0 ? (
        <p>No numbers yet.</p>
      ) : (
        <div class="charts">
          {fields.map((f) => (
            <Chart key={f.field} title={f.field} series={[f.field]} data={[seconds, f.values as number[]]} />
          ))}
        </div>
      )}
      <ul class="latest" aria-label="Latest values">
        {fields.map((f) => (
          <li key={f.field}>
            {f.field}: <span>{String(f.values[f.values.length - 1] ?? '')}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

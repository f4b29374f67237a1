// The broker's live event stream (server-sent events), filtered by client id and topic filter; shown as text.
import { useEffect, useState } from 'preact/hooks';
import { query } from '../api.js';
import { CLIENT_EVENTS } from '../types.js';

interface LiveEvent {
  n: number;
  event: string;
  time: string;
  text: string;
}

const MAX_EVENTS = 300;

export function EventsPage() {
  const [clientId, setClientId] = useState('');
  const [topic, setTopic] = useState('');
  const [events, setEvents] = useState<LiveEvent[]>([]);
  const [state, setState] = useState('connecting');
  useEffect(() => {
    let n = 0;
    const source = new EventSource(
      `/api/v1/events${query({ events: CLIENT_EVENTS.join(','), clientId, topic })}`,
    );
    source.onopen = () => setState('live');
    source.onerror = () => setState('reconnecting');
    const add = (e: MessageEvent<string>): void => {
      const { event, time, ...rest } = JSON.parse(e.data) as { event: string; time: string };
      n++;
      setEvents((old) => [{ n, event, time, text: JSON.stringify(rest) }, ...old].slice(0, MAX_EVENTS));
    };
    for (const name of CLIENT_EVENTS) source.addEventListener(name, add);
    return () => source.close();
  }, [clientId, topic]);
  return (
    <section>
      <h1>Events</h1>
      <form
        class="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          const form = new FormData(e.currentTarget as HTMLFormElement);
          setEvents([]);
          setClientId(String(form.get('clientId') ?? ''));
          setTopic(String(form.get('topic') ?? ''));
        }}
      >
        <label for="events-client">Client id</label>
        <input id="events-client" name="clientId" />
        <label for="events-topic">Topic filter</label>
        <input id="events-topic" name="topic" />
        <button type="submit">Filter</button>
      </form>
      <p>
        Stream: <strong data-testid="events-state">{state}</strong>
      </p>
      <ol class="events" aria-label="Events">
        {events.map((e) => (
          <li key={e.n}>
            <time>{e.time}</time> <strong>{e.event}</strong> <code>{e.text}</code>
          </li>
        ))}
      </ol>
    </section>
  );
}

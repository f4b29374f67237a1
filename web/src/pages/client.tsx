// One client: its details, subscriptions and live events; kick it with a reason or delete its session.
import { useEffect, useState } from 'preact/hooks';
import { api, errorText, get } from '../api.js';
import { formatBytes, usePoll } from '../hooks.js';
import { CLIENT_EVENTS, PROTOCOLS, type ClientInfo, type SubscriptionInfo } from '../types.js';

const REASONS: [number, string][] = [
  [0x98, 'Administrative action (0x98)'],
  [0x8b, 'Server shutting down (0x8B)'],
  [0x89, 'Server busy (0x89)'],
  [0x8e, 'Session taken over (0x8E)'],
  [0x9c, 'Use another server (0x9C)'],
];

interface LiveEvent {
  event: string;
  time: string;
  text: string;
}

const MAX_EVENTS = 100;

export function ClientPage({ clientId }: { clientId: string }) {
  const path = `/api/v1/clients/${encodeURIComponent(clientId)}`;
  const info = usePoll(() => get<ClientInfo & { subscriptions: SubscriptionInfo[] }>(path), 2000, [clientId]);
  const [reason, setReason] = useState(0x98);
  const [message, setMessage] = useState('');
  const [events, setEvents] = useState<LiveEvent[]>([]);
  useEffect(() => {
    const source = new EventSource(
      `/api/v1/events?events=${CLIENT_EVENTS.join(',')}&clientId=${encodeURIComponent(clientId)}`,
    );
    const add = (e: MessageEvent<string>): void => {
      const data = JSON.parse(e.data) as { event: string; time: string } & Record<string, unknown>;
      const { event, time, ...rest } = data;
      setEvents((old) => [{ event, time, text: JSON.stringify(rest) }, ...old].slice(0, MAX_EVENTS));
    };
    for (const name of CLIENT_EVENTS) source.addEventListener(name, add);
    return () => source.close();
  }, [clientId]);
  const act = async (method: string, url: string, done: string): Promise<void> => {
    try {
      await api(method, url);
      setMessage(done);
    } catch (e) {
      setMessage(errorText(e));
    }
    info.reload();
  };
  const c = info.data;
  return (
    <section>
      <p>
        <a href="#/clients">Clients</a>
      </p>
      <h1>Client {clientId}</h1>
      {info.error !== '' && <p class="error">{info.error}</p>}
      {c !== undefined && (
        <dl class="details">
          <dt>State</dt>
          <dd>{c.connected ? 'connected' : 'offline session'}</dd>
          <dt>Username</dt>
          <dd>{c.username ?? '(none)'}</dd>
          <dt>Protocol</dt>
          <dd>
            {c.protocolVersion === undefined
              ? ''
              : (PROTOCOLS[c.protocolVersion] ?? String(c.protocolVersion))}
          </dd>
          <dt>Listener</dt>
          <dd>{c.listener ?? ''}</dd>
          <dt>Address</dt>
          <dd>{c.remoteAddress ?? ''}</dd>
          <dt>Keep alive</dt>
          <dd>{c.keepalive === undefined ? '' : `${c.keepalive} s`}</dd>
          <dt>Session expiry</dt>
          <dd>{c.sessionExpiryInterval === 0 ? 'at disconnect (clean)' : `${c.sessionExpiryInterval} s`}</dd>
          <dt>Connected since</dt>
          <dd>{c.connectedSince ?? ''}</dd>
          <dt>In flight / queued / dropped</dt>
          <dd>
            {c.inflight} / {c.queued} / {c.dropped}
          </dd>
          <dt>Messages in / out</dt>
          <dd>
            {c.messagesIn} / {c.messagesOut}
          </dd>
          <dt>Bytes in / out</dt>
          <dd>
            {formatBytes(c.bytesIn)} / {formatBytes(c.bytesOut)}
          </dd>
        </dl>
      )}
      <form class="toolbar" onSubmit={(e) => e.preventDefault()}>
        <label for="kick-reason">Reason</label>
        <select
          id="kick-reason"
          value={reason}
          onChange={(e) => setReason(Number((e.currentTarget as HTMLSelectElement).value))}
        >
          {REASONS.map(([code, text]) => (
            <option key={code} value={code}>
              {text}
            </option>
          ))}
        </select>
        <button
          type="button"
          disabled={c?.connected !== true}
          onClick={() => void act('DELETE', `${path}?reasonCode=${reason}`, 'Disconnected')}
        >
          Kick
        </button>
        <button
          type="button"
          disabled={c === undefined}
          onClick={() =>
            void act('DELETE', `/api/v1/sessions/${encodeURIComponent(clientId)}`, 'Session deleted')
          }
        >
          Delete session
        </button>
      </form>
      <p role="status" class="status">
        {message}
      </p>
      <h2>Subscriptions</h2>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Topic filter</th>
              <th scope="col">QoS</th>
              <th scope="col">No local</th>
              <th scope="col">Retain as published</th>
            </tr>
          </thead>
          <tbody>
            {(c?.subscriptions ?? []).map((s) => (
              <tr key={s.topicFilter}>
                <td>{s.topicFilter}</td>
                <td>{s.qos}</td>
                <td>{s.noLocal ? 'yes' : 'no'}</td>
                <td>{s.retainAsPublished ? 'yes' : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Live events</h2>
      <ol class="events" aria-live="polite">
        {events.map((e, i) => (
          <li key={`${e.time}-${i}`}>
            <time>{e.time}</time> <strong>{e.event}</strong> <code>{e.text}</code>
          </li>
        ))}
      </ol>
    </section>
  );
}

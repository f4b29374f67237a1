// An MQTT client in the page: connects to this broker's own WebSocket listener (MQTT.js's browser bundle, loaded
// from this origin only when the page opens), subscribes, publishes, and lists what arrives — as text.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { IClientOptions, MqttClient } from 'mqtt';
import { errorText, get } from '../api.js';

interface Arrived {
  n: number;
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
}

type Connect = (url: string, options: IClientOptions) => MqttClient;

const MAX_MESSAGES = 500;

async function loadMqtt(): Promise<Connect> {
  const module = (await import('mqtt')) as unknown as { default: { connect: Connect } };
  return module.default.connect;
}

export function MqttClientPage() {
  const [urls, setUrls] = useState<string[]>([]);
  const [url, setUrl] = useState('');
  const [state, setState] = useState('disconnected');
  const [messages, setMessages] = useState<Arrived[]>([]);
  const [note, setNote] = useState('');
  const client = useRef<MqttClient | null>(null);
  const counter = useRef(0);
  useEffect(() => {
    get<{ listeners: { protocol: string; port: number }[] }>('/api/v1/overview').then(
      ({ listeners }) => {
        const found = listeners
          .filter((l) => l.protocol === 'ws' || l.protocol === 'wss')
          .map((l) => `${l.protocol}://${location.hostname}:${l.port}/mqtt`);
        setUrls(found);
        setUrl((old) => (old === '' ? (found[0] ?? '') : old));
      },
      (e: unknown) => setNote(errorText(e)),
    );
    return () => client.current?.end(true);
  }, []);
  const connect = async (event: Event): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    client.current?.end(true);
    setState('connecting');
    setNote('');
    try {
      const mqttConnect = await loadMqtt();
      const username = String(form.get('username') ?? '');
      const c = mqttConnect(url, {
        clientId:
          String(form.get('clientId') ?? '') || `midge-console-${Math.random().toString(16).slice(2, 10)}`,
        username: username === '' ? undefined : username,
        password: username === '' ? undefined : String(form.get('password') ?? ''),
        protocolVersion: 5,
        reconnectPeriod: 0,
        connectTimeout: 10_000,
      });
      client.current = c;
      c.on('connect', () => setState('connected'));
      c.on('close', () => setState('disconnected'));
      c.on('error', (e) => setNote(e.message));
      c.on('message', (topic, payload, packet) => {
        const n = ++counter.current;
        const text = new TextDecoder().decode(payload);
        setMessages((old) =>
          [{ n, topic, payload: text, qos: packet.qos, retain: packet.retain }, ...old].slice(
            0,
            MAX_MESSAGES,
          ),
        );
      });
    } catch (e) {
      setState('disconnected');
      setNote(errorText(e));
    }
  };
  const subscribe = (event: Event): void => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const filter = String(form.get('filter') ?? '');
    const qos = Number(form.get('qos') ?? 0) as 0 | 1 | 2;
    client.current?.subscribe(filter, { qos }, (error, granted) => {
      const code = granted?.[0]?.qos;
      setNote(error ? error.message : `Subscribed to ${filter} (granted ${code ?? '?'})`);
    });
  };
  const publish = (event: Event): void => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const topic = String(form.get('topic') ?? '');
    let payload = String(form.get('payload') ?? '');
    if (form.get('format') === 'json') {
      try {
        payload = JSON.stringify(JSON.parse(payload));
      } catch (e) {
        setNote(`Not JSON: ${errorText(e)}`);
        return;
      }
    }
    const qos = Number(form.get('qos') ?? 0) as 0 | 1 | 2;
    client.current?.publish(topic, payload, { qos, retain: form.get('retain') === 'on' }, (error) =>
      setNote(error ? error.message : `Published to ${topic}`),
    );
  };
  const connected = state === 'connected';
  return (
    <section>
      <h1>MQTT client</h1>
      <p class="hint">
        Connects from this page to the broker&apos;s own WebSocket listener, with the credentials you give
        here.
      </p>
      <form class="toolbar" onSubmit={(e) => void connect(e)}>
        <label for="mqtt-url">Listener</label>
        <select
          id="mqtt-url"
          value={url}
          onChange={(e) => setUrl((e.currentTarget as HTMLSelectElement).value)}
        >
          {urls.map((u) => (
            <option key={u} value={u}>
              {u}
            </option>
          ))}
        </select>
        <label for="mqtt-client-id">Client id</label>
        <input id="mqtt-client-id" name="clientId" />
        <label for="mqtt-username">Username</label>
        <input id="mqtt-username" name="username" autoComplete="off" />
        <label for="mqtt-password">Password</label>
        <input id="mqtt-password" name="password" type="password" autoComplete="off" />
        <button type="submit" disabled={url === ''}>
          Connect
        </button>
        <button type="button" class="secondary" disabled={!connected} onClick={() => client.current?.end()}>
          Disconnect
        </button>
      </form>
      {urls.length === 0 && <p>This broker has no WebSocket listener (`protocol websockets`).</p>}
      <p>
        State: <strong data-testid="mqtt-state">{state}</strong>
      </p>
      <p role="status" class="status">
        {note}
      </p>
      <h2>Subscribe</h2>
      <form class="toolbar" onSubmit={subscribe}>
        <label for="sub-filter">Topic filter</label>
        <input id="sub-filter" name="filter" required />
        <label for="sub-qos">Subscription QoS</label>
        <select id="sub-qos" name="qos">
          <option value="0">0</option>
          <option value="1">1</option>
          <option value="2">2</option>
        </select>
        <button type="submit" disabled={!connected}>
          Subscribe
        </button>
      </form>
      <h2>Publish</h2>
      <form class="stack" onSubmit={publish}>
        <label for="pub-topic">Topic</label>
        <input id="pub-topic" name="topic" required />
        <label for="pub-payload">Payload</label>
        <textarea id="pub-payload" name="payload" rows={3} />
        <div class="toolbar">
          <label for="pub-format">Format</label>
          <select id="pub-format" name="format">
            <option value="text">text</option>
            <option value="json">JSON</option>
          </select>
          <label for="pub-qos">QoS</label>
          <select id="pub-qos" name="qos">
            <option value="0">0</option>
            <option value="1">1</option>
            <option value="2">2</option>
          </select>
          <label>
            <input name="retain" type="checkbox" /> Retain
          </label>
          <button type="submit" disabled={!connected}>
            Publish
          </button>
        </div>
      </form>
      <h2>Messages</h2>
      <div class="scroll">
        <table aria-label="Messages">
          <thead>
            <tr>
              <th scope="col">Topic</th>
              <th scope="col">QoS</th>
              <th scope="col">Retained</th>
              <th scope="col">Payload</th>
            </tr>
          </thead>
          <tbody>
            {messages.map((m) => (
              <tr key={m.n}>
                <td>{m.topic}</td>
                <td>{m.qos}</td>
                <td>{m.retain ? 'yes' : ''}</td>
                <td>
                  <code>{m.payload}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

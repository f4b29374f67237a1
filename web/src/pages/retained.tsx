// Retained messages: browse by topic filter, search, view, delete, and set one (published with RETAIN through
// the API, so the ACL, hooks and router see it like any other publish).
import { useState } from 'preact/hooks';
import { api, errorText, get, query } from '../api.js';
import { usePoll } from '../hooks.js';

interface Retained {
  topic: string;
  payload: string;
  text?: string;
  qos: number;
  receivedAt: string;
}

const SHOWN = 200;

export function RetainedPage() {
  const [filter, setFilter] = useState('#');
  const [search, setSearch] = useState('');
  const [message, setMessage] = useState('');
  const list = usePoll(() => get<{ messages: Retained[] }>(`/api/v1/retained${query({ filter })}`), 5000, [
    filter,
  ]);
  const shown = (list.data?.messages ?? []).filter((m) => m.topic.includes(search));
  const run = async (work: () => Promise<unknown>, done: string): Promise<void> => {
    try {
      await work();
      setMessage(done);
    } catch (e) {
      setMessage(errorText(e));
    }
    list.reload();
  };
  return (
    <section>
      <h1>Retained messages</h1>
      <form class="toolbar" role="search" onSubmit={(e) => e.preventDefault()}>
        <label for="retained-filter">Topic filter</label>
        <input
          id="retained-filter"
          value={filter}
          onChange={(e) => setFilter((e.currentTarget as HTMLInputElement).value || '#')}
        />
        <label for="retained-search">Search topics</label>
        <input
          id="retained-search"
          type="search"
          value={search}
          onInput={(e) => setSearch((e.currentTarget as HTMLInputElement).value)}
        />
      </form>
      {list.error !== '' && <p class="error">{list.error}</p>}
      <p role="status" class="status">
        {message}
      </p>
      <p class="hint">
        {shown.length > SHOWN ? `The first ${SHOWN} of ${shown.length} shown.` : `${shown.length} messages.`}
      </p>
      <div class="scroll">
        <table aria-label="Retained messages">
          <thead>
            <tr>
              <th scope="col">Topic</th>
              <th scope="col">QoS</th>
              <th scope="col">Received</th>
              <th scope="col">Payload</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {shown.slice(0, SHOWN).map((m) => (
              <tr key={m.topic}>
                <td>{m.topic}</td>
                <td>{m.qos}</td>
                <td>{m.receivedAt}</td>
                <td>
                  <code>{m.text ?? `(binary, base64) ${m.payload}`}</code>
                </td>
                <td>
                  <button
                    type="button"
                    aria-label={`Delete ${m.topic}`}
                    onClick={() =>
                      void run(
                        () => api('DELETE', `/api/v1/retained/${encodeURIComponent(m.topic)}`),
                        `Deleted ${m.topic}`,
                      )
                    }
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Set a retained message</h2>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          const form = new FormData(e.currentTarget as HTMLFormElement);
          const topic = String(form.get('topic') ?? '');
          const payload = String(form.get('payload') ?? '');
          const qos = Number(form.get('qos') ?? 0);
          void run(
            () => api('POST', '/api/v1/publish', { topic, payload, encoding: 'utf8', qos, retain: true }),
            `Set ${topic}`,
          );
        }}
      >
        <label for="set-topic">Topic</label>
        <input id="set-topic" name="topic" required />
        <label for="set-payload">Payload</label>
        <textarea id="set-payload" name="payload" rows={2} />
        <label for="set-qos">QoS</label>
        <select id="set-qos" name="qos">
          <option value="0">0</option>
          <option value="1">1</option>
          <option value="2">2</option>
        </select>
        <div>
          <button type="submit">Set retained</button>
        </div>
      </form>
    </section>
  );
}

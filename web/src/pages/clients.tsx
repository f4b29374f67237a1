// Clients: one page of sessions at a time, searchable by client id, each connected one with a Kick button.
import { useState } from 'preact/hooks';
import { api, errorText, get, query } from '../api.js';
import { usePoll } from '../hooks.js';
import { PROTOCOLS, type ClientInfo } from '../types.js';

const PAGE = 50;

export function Clients() {
  const [search, setSearch] = useState('');
  const [offset, setOffset] = useState(0);
  const [message, setMessage] = useState('');
  const list = usePoll(
    () =>
      get<{ clients: ClientInfo[]; total: number }>(
        `/api/v1/clients${query({ clientId: search, limit: PAGE, offset })}`,
      ),
    2000,
    [search, offset],
  );
  const kick = async (clientId: string): Promise<void> => {
    try {
      await api('DELETE', `/api/v1/clients/${encodeURIComponent(clientId)}`);
      setMessage(`Disconnected ${clientId}`);
    } catch (e) {
      setMessage(errorText(e));
    }
    list.reload();
  };
  const total = list.data?.total ?? 0;
  return (
    <section>
      <h1>Clients</h1>
      <form class="toolbar" role="search" onSubmit={(e) => e.preventDefault()}>
        <label for="client-search">Search client id</label>
        <input
          id="client-search"
          type="search"
          value={search}
          onInput={(e) => {
            setSearch((e.currentTarget as HTMLInputElement).value);
            setOffset(0);
          }}
        />
      </form>
      <p role="status" class="status">
        {message}
      </p>
      {list.error !== '' && <p class="error">{list.error}</p>}
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Client id</th>
              <th scope="col">Username</th>
              <th scope="col">Address</th>
              <th scope="col">Protocol</th>
              <th scope="col">State</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {(list.data?.clients ?? []).map((c) => (
              <tr key={c.clientId}>
                <td>
                  <a href={`#/clients/${encodeURIComponent(c.clientId)}`}>{c.clientId}</a>
                </td>
                <td>{c.username ?? ''}</td>
                <td>{c.remoteAddress ?? ''}</td>
                <td>{c.protocolVersion === undefined ? '' : (PROTOCOLS[c.protocolVersion] ?? '')}</td>
                <td>{c.connected ? 'connected' : 'offline session'}</td>
                <td>
                  {c.connected && (
                    <button
                      type="button"
                      aria-label="Kick"
                      title={`Kick ${c.clientId}`}
                      onClick={() => void kick(c.clientId)}
                    >
                      Kick
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
          Previous
        </button>
        <span>{total === 0 ? 'none' : `${offset + 1}–${Math.min(offset + PAGE, total)} of ${total}`}</span>
        <button type="button" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>
          Next
        </button>
      </nav>
    </section>
  );
}

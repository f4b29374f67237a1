// Users and ACL rules of the embedded auth store, and an explain box that says which rule decides.
import { useState } from 'preact/hooks';
import { ApiError, api, errorText, get, query } from '../api.js';
import { usePoll } from '../hooks.js';

interface User {
  username: string;
  superuser: boolean;
}
interface Rule {
  username: string;
  topic: string;
  rw: number;
}
interface Explanation {
  decision: string;
  provider: string;
  rule?: string;
  reason: string;
}

const RW: Record<number, string> = { 1: 'read', 2: 'read and write' };

/** The values of a submitted form by field name. */
function fields(event: Event): Record<string, string> {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  return Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v)]));
}

export function Users() {
  const [message, setMessage] = useState('');
  const [explained, setExplained] = useState<Explanation | undefined>(undefined);
  const users = usePoll(() => get<{ users: User[] }>('/api/v1/users'), 0);
  const rules = usePoll(() => get<{ acls: Rule[] }>('/api/v1/acls'), 0);
  const run = async (work: () => Promise<unknown>, done: string): Promise<void> => {
    try {
      await work();
      setMessage(done);
    } catch (e) {
      setMessage(errorText(e));
    }
    users.reload();
    rules.reload();
  };
  const readOnly = users.error !== '' && /outside a SQLite store/.test(users.error);
  return (
    <section>
      <h1>Users and ACLs</h1>
      {readOnly && (
        <p class="note">
          Read-only: this broker keeps its users outside the embedded store ({users.error}). Use the explain
          box to check what they may do.
        </p>
      )}
      {!readOnly && users.error !== '' && <p class="error">{users.error}</p>}
      <p role="status" class="status">
        {message}
      </p>
      {!readOnly && (
        <>
          <h2>Users</h2>
          <div class="scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Username</th>
                  <th scope="col">Superuser</th>
                  <th scope="col">Password</th>
                  <th scope="col">Action</th>
                </tr>
              </thead>
              <tbody>
                {(users.data?.users ?? []).map((u) => {
                  const path = `/api/v1/users/${encodeURIComponent(u.username)}`;
                  return (
                    <tr key={u.username}>
                      <td>{u.username}</td>
                      <td>
                        <input
                          type="checkbox"
                          aria-label={`Superuser ${u.username}`}
                          checked={u.superuser}
                          onChange={(e) =>
                            void run(
                              () =>
                                api('PATCH', path, {
                                  superuser: (e.currentTarget as HTMLInputElement).checked,
                                }),
                              `Changed ${u.username}`,
                            )
                          }
                        />
                      </td>
                      <td>
                        <form
                          class="inline"
                          onSubmit={(e) => {
                            const { password = '' } = fields(e);
                            void run(
                              () => api('PATCH', path, { password }),
                              `New password for ${u.username}`,
                            );
                          }}
                        >
                          <input
                            name="password"
                            type="password"
                            required
                            aria-label={`New password for ${u.username}`}
                          />
                          <button type="submit" class="secondary">
                            Set password
                          </button>
                        </form>
                      </td>
                      <td>
                        <button
                          type="button"
                          onClick={() => void run(() => api('DELETE', path), `Deleted ${u.username}`)}
                        >
                          Delete
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <form
            class="toolbar"
            onSubmit={(e) => {
              const { username = '', password = '', superuser } = fields(e);
              void run(
                () => api('POST', '/api/v1/users', { username, password, superuser: superuser === 'on' }),
                `Created ${username}`,
              );
            }}
          >
            <label for="new-username">Username</label>
            <input id="new-username" name="username" required />
            <label for="new-password">Password</label>
            <input id="new-password" name="password" type="password" required />
            <label>
              <input name="superuser" type="checkbox" /> Superuser
            </label>
            <button type="submit">Create user</button>
          </form>
          <h2>ACL rules</h2>
          <div class="scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Username</th>
                  <th scope="col">Topic</th>
                  <th scope="col">Access</th>
                  <th scope="col">Action</th>
                </tr>
              </thead>
              <tbody>
                {(rules.data?.acls ?? []).map((r) => (
                  <tr key={`${r.username}\u0000${r.topic}`}>
                    <td>{r.username}</td>
                    <td>{r.topic}</td>
                    <td>{RW[r.rw] ?? String(r.rw)}</td>
                    <td>
                      <button
                        type="button"
                        onClick={() =>
                          void run(
                            () =>
                              api('DELETE', `/api/v1/acls${query({ username: r.username, topic: r.topic })}`),
                            `Removed ${r.topic} for ${r.username}`,
                          )
                        }
                      >
                        Remove
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <form
            class="toolbar"
            onSubmit={(e) => {
              const { username = '', topic = '', rw = '1' } = fields(e);
              void run(
                () => api('POST', '/api/v1/acls', { username, topic, rw: Number(rw) }),
                `Added ${topic} for ${username}`,
              );
            }}
          >
            <label for="rule-username">Rule username</label>
            <input id="rule-username" name="username" required />
            <label for="rule-topic">Rule topic</label>
            <input id="rule-topic" name="topic" required />
            <label for="rule-rw">Rule access</label>
            <select id="rule-rw" name="rw">
              <option value="1">read</option>
              <option value="2">read and write</option>
            </select>
            <button type="submit">Add rule</button>
          </form>
        </>
      )}
      <h2>Explain</h2>
      <form
        class="toolbar"
        onSubmit={(e) => {
          const { username = '', topic = '', access = 'write' } = fields(e);
          setExplained(undefined);
          api<Explanation>('POST', '/api/v1/acls/explain', {
            username: username === '' ? undefined : username,
            topic,
            access,
          }).then(setExplained, (error: unknown) =>
            setMessage(error instanceof ApiError ? error.message : errorText(error)),
          );
        }}
      >
        <label for="explain-username">May user</label>
        <input id="explain-username" name="username" />
        <label for="explain-access">do</label>
        <select id="explain-access" name="access">
          <option value="write">publish</option>
          <option value="subscribe">subscribe</option>
          <option value="read">read</option>
        </select>
        <label for="explain-topic">on topic</label>
        <input id="explain-topic" name="topic" required />
        <button type="submit">Explain</button>
      </form>
      {explained !== undefined && (
        <p class="explanation" data-testid="explanation">
          <strong>{explained.decision}</strong>: {explained.reason}
          {explained.rule !== undefined && (
            <>
              {' '}
              Rule: <code>{explained.rule}</code> ({explained.provider})
            </>
          )}
        </p>
      )}
    </section>
  );
}

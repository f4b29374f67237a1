// Sign in with a superuser's username and password (checked by the broker's auth chain) or an API key.
import { useState } from 'preact/hooks';
import { api, errorText } from '../api.js';

export function SignIn({ onSignedIn }: { onSignedIn: (s: { user: string; csrfToken: string }) => void }) {
  const [mode, setMode] = useState<'password' | 'key'>('password');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const body =
      mode === 'key'
        ? { apiKey: String(form.get('apiKey') ?? '') }
        : { username: String(form.get('username') ?? ''), password: String(form.get('password') ?? '') };
    setBusy(true);
    setError('');
    try {
      onSignedIn(await api<{ user: string; csrfToken: string }>('POST', '/api/v1/session', body));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <h1>Midge console</h1>
      <form onSubmit={(e) => void submit(e)}>
        <fieldset>
          <legend>Sign in with</legend>
          <label>
            <input
              type="radio"
              name="mode"
              checked={mode === 'password'}
              onChange={() => setMode('password')}
            />{' '}
            Username and password
          </label>
          <label>
            <input type="radio" name="mode" checked={mode === 'key'} onChange={() => setMode('key')} /> API
            key
          </label>
        </fieldset>
        {mode === 'password' ? (
          <>
            <label for="username">Username</label>
            <input id="username" name="username" autoComplete="username" required />
            <label for="password">Password</label>
            <input id="password" name="password" type="password" autoComplete="current-password" required />
          </>
        ) : (
          <>
            <label for="api-key">Key</label>
            <input id="api-key" name="apiKey" type="password" autoComplete="off" required />
          </>
        )}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {error !== '' && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}

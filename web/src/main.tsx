// The Midge console: sign in, then one page per concern, chosen by the URL's hash (#/clients, #/topics ...).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, get, setCsrfToken, whenSignedOut } from './api.js';
import { useRoute } from './hooks.js';
import { SignIn } from './pages/sign-in.js';
import { Overview } from './pages/overview.js';
import { Clients } from './pages/clients.js';
import { ClientPage } from './pages/client.js';
import { Users } from './pages/users.js';
import { Topics } from './pages/topics.js';
import { TopicPage } from './pages/topic.js';
import { MqttClientPage } from './pages/mqtt-client.js';
import { RetainedPage } from './pages/retained.js';
import { EventsPage } from './pages/events.js';
import './style.css';

interface SessionInfo {
  user: string;
  csrfToken: string;
}

const PAGES: { path: string; title: string }[] = [
  { path: '/', title: 'Overview' },
  { path: '/clients', title: 'Clients' },
  { path: '/topics', title: 'Topics' },
  { path: '/retained', title: 'Retained' },
  { path: '/users', title: 'Users and ACLs' },
  { path: '/mqtt', title: 'MQTT client' },
  { path: '/events', title: 'Events' },
];

function Page({ route }: { route: string }) {
  const [, section = '', ...rest] = route.split('/');
  const id = rest.join('/');
  switch (section) {
    case '':
      return <Overview />;
    case 'clients':
      return id === '' ? <Clients /> : <ClientPage clientId={decodeURIComponent(id)} />;
    case 'topics':
      return id === '' ? <Topics /> : <TopicPage topic={decodeURIComponent(id)} />;
    case 'retained':
      return <RetainedPage />;
    case 'events':
      return <EventsPage />;
    case 'mqtt':
      return <MqttClientPage />;
    case 'users':
      return <Users />;
    default:
      return <p>No such page.</p>;
  }
}

function App() {
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  const route = useRoute();
  useEffect(() => {
    whenSignedOut(() => setSession(null));
    get<SessionInfo>('/api/v1/session').then(
      (s) => {
        setCsrfToken(s.csrfToken);
        setSession(s);
      },
      () => setSession(null),
    );
  }, []);
  if (session === undefined) return <p class="loading">Loading…</p>;
  if (session === null) {
    return (
      <SignIn
        onSignedIn={(s) => {
          setCsrfToken(s.csrfToken);
          setSession(s);
        }}
      />
    );
  }
  const signOut = async (): Promise<void> => {
    await api('DELETE', '/api/v1/session').catch((e: unknown) => {
      if (!(e instanceof ApiError)) throw e;
    });
    setCsrfToken('');
    setSession(null);
  };
  const current = '/' + (route.split('/')[1] ?? '');
  return (
    <div class="shell">
      <header>
        <span class="brand">Midge</span>
        <nav aria-label="Console">
          {PAGES.map((p) => (
            <a key={p.path} href={`#${p.path}`} aria-current={current === p.path ? 'page' : undefined}>
              {p.title}
            </a>
          ))}
        </nav>
        <span class="user">
          {session.user}{' '}
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </span>
      </header>
      <main>
        <Page route={route} />
      </main>
    </div>
  );
}

const root = document.getElementById('app');
if (root !== null) render(<App />, root);

// The console's frame: sign-in, the navigation, the language switch, and the page the address names.
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, get, post, setCsrfToken, whenSignedOut, type User } from './api.ts';
import { useI18n, type Key } from './i18n.tsx';
import { useRoute, type PageProps } from './router.ts';
import { CampaignPage, CampaignsPage } from './pages/Campaigns.tsx';
import { DashboardPage } from './pages/Dashboard.tsx';
import { GuestPage, GuestsPage } from './pages/Guests.tsx';
import { MessagesPage } from './pages/Messages.tsx';
import { OperationLogEntryPage, OperationLogPage } from './pages/OperationLog.tsx';
import { OrderPage, OrdersPage } from './pages/Orders.tsx';
import { ParkedWorkPage } from './pages/ParkedWork.tsx';
import { ProjectPage } from './pages/Project.tsx';
import { ScenariosPage, SegmentsPage } from './pages/SegmentsScenarios.tsx';

const NAV: { path: string; label: Key }[] = [
  { path: 'dashboard', label: 'dashboard' },
  { path: 'guests', label: 'guests' },
  { path: 'orders', label: 'orders' },
  { path: 'messages', label: 'messages' },
  { path: 'log', label: 'operationLog' },
  { path: 'project', label: 'project' },
  { path: 'segments', label: 'segments' },
  { path: 'scenarios', label: 'scenarios' },
  { path: 'campaigns', label: 'campaigns' },
  { path: 'jobs', label: 'parkedWork' },
];

function SignIn({ onSignedIn }: { onSignedIn: (user: User) => void }) {
  const { t } = useI18n();
  const [withToken, setWithToken] = useState(false);
  const [name, setName] = useState('');
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const answer = await post<{ user: User; csrfToken: string }>('/api/auth/login', withToken ? { token: secret } : { name, password: secret });
      setCsrfToken(answer.csrfToken);
      onSignedIn(answer.user);
    } catch (failure) {
      setError(failure instanceof ApiError && failure.status === 401 ? t('wrongCredentials') : (failure as Error).message);
    }
  };
  return (
    <div className="signin">
      <form onSubmit={submit} className="panel">
        <h1>{t('appName')}</h1>
        {!withToken && (
          <label>
            {t('name')}
            <input name="name" autoComplete="username" value={name} onChange={(e) => setName(e.target.value)} required autoFocus />
          </label>
        )}
        <label>
          {withToken ? t('adminToken') : t('password')}
          <input name={withToken ? 'token' : 'password'} type="password" autoComplete={withToken ? 'off' : 'current-password'} value={secret} onChange={(e) => setSecret(e.target.value)} required />
        </label>
        {error && (
          <div className="error" role="alert">
            {error}
          </div>
        )}
        <button type="submit">{t('signIn')}</button>
        <button type="button" className="link" onClick={() => setWithToken(!withToken)}>
          {withToken ? t('usePassword') : t('useToken')}
        </button>
        <p className="muted small">{t('signInHint')}</p>
        <LanguageSwitch />
      </form>
    </div>
  );
}

function LanguageSwitch() {
  const { lang, setLang } = useI18n();
  return (
    <div className="lang" role="group" aria-label="language">
      {(['ru', 'en'] as const).map((code) => (
        <button key={code} type="button" className={lang === code ? 'active' : ''} onClick={() => setLang(code)}>
          {code.toUpperCase()}
        </button>
      ))}
    </div>
  );
}

function Page({ user }: { user: User }) {
  const { parts, params } = useRoute();
  const [section = 'dashboard', id] = parts;
  const props = { user, params };
  switch (section) {
    case 'guests':
      return id ? <GuestPage {...props} id={Number(id)} /> : <GuestsPage {...props} />;
    case 'orders':
      return id ? <OrderPage {...props} id={id} /> : <OrdersPage {...props} />;
    case 'messages':
      return <MessagesPage {...props} />;
    case 'log':
      return id ? <OperationLogEntryPage {...props} id={Number(id)} /> : <OperationLogPage {...props} />;
    case 'project':
      return <ProjectPage {...props} />;
    case 'segments':
      return <SegmentsPage {...props} />;
    case 'scenarios':
      return <ScenariosPage {...props} />;
    case 'campaigns':
      return id ? <CampaignPage {...props} id={Number(id)} /> : <CampaignsPage {...props} />;
    case 'jobs':
      return <ParkedWorkPage {...props} />;
    default:
      return <DashboardPage {...props} />;
  }
}

export function App() {
  const { t } = useI18n();
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const { parts } = useRoute();

  useEffect(() => {
    whenSignedOut(() => setUser(null));
    get<{ user: User; csrfToken: string | null }>('/api/auth/session').then(
      (answer) => {
        setCsrfToken(answer.csrfToken);
        setUser(answer.user);
      },
      () => setUser(null),
    );
  }, []);

  if (user === undefined) return <p className="muted center">{t('loading')}</p>;
  if (user === null) return <SignIn onSignedIn={setUser} />;

  const signOut = async () => {
    await post('/api/auth/logout').catch(() => undefined);
    setCsrfToken(null);
    setUser(null);
  };
  const section = parts[0] ?? 'dashboard';
  return (
    <div className="layout">
      <nav className="sidebar">
        <div className="brand">{t('appName')}</div>
        {NAV.map((item) => (
          <a key={item.path} href={`#/${item.path}`} className={section === item.path ? 'active' : ''}>
            {t(item.label)}
          </a>
        ))}
        <a href="/api/docs" target="_blank" rel="noreferrer" className="docs">
          {t('documentation')} ↗
        </a>
      </nav>
      <div className="main">
        <header className="topbar">
          <span className="who">
            {user.name} · <span data-role={user.role}>{t(`role_${user.role}`)}</span>
          </span>
          <LanguageSwitch />
          <button type="button" onClick={signOut}>
            {t('signOut')}
          </button>
        </header>
        <main>
          <Page user={user} />
        </main>
      </div>
    </div>
  );
}

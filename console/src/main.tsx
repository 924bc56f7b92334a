import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Api, ApiError } from './api.js';
import { Auditor } from './auditor.js';
import { Driver } from './driver.js';
import { Market } from './market.js';
import { Operator } from './operator.js';
import { Reports } from './reports.js';
import './styles.css';

interface Account {
  id: string;
  displayName: string;
  roles: string[];
}

const TOKEN_KEY = 'gridledger.token';

/** Sign-in, then the views the account's roles call for. */
function App() {
  const [token, setToken] = useState<string | null>(() => sessionStorage.getItem(TOKEN_KEY));
  const [account, setAccount] = useState<Account | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [api, setApi] = useState(() => new Api(token));

  useEffect(() => {
    const next = new Api(token);
    setApi(next);
    if (!token) return;
    next
      .request<{ me: Account }>('{ me { id displayName roles } }')
      .then((d) => setAccount(d.me))
      .catch((e: ApiError) => {
        // An expired or revoked token: back to the sign-in form.
        if (e.code === 'UNAUTHENTICATED') signOut();
        else setError(e.message);
      });
    return () => next.close();
  }, [token]);

  const signOut = () => {
    sessionStorage.removeItem(TOKEN_KEY);
    setToken(null);
    setAccount(null);
  };

  if (!token) return <SignIn onSignedIn={(t) => (sessionStorage.setItem(TOKEN_KEY, t), setToken(t))} />;
  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!account) return <p className="loading">Loading your account…</p>;
  return (
    <>
      <header>
        <h1>GridLedger</h1>
        <span className="who" data-testid="account">
          {account.displayName} · {account.roles.join(', ').toLowerCase()}
        </span>
        <button onClick={signOut}>Sign out</button>
      </header>
      <main>
        {account.roles.some((r) => r === 'OPERATOR' || r === 'ADMIN') && (
          <>
            <Operator api={api} />
            <Reports api={api} />
          </>
        )}
        {account.roles.some((r) => r === 'HOST' || r === 'BUYER') && <Market api={api} />}
        {account.roles.some((r) => r === 'AUDITOR') && <Auditor api={api} />}
        {account.roles.includes('DRIVER') && <Driver api={api} />}
      </main>
    </>
  );
}

function SignIn({ onSignedIn }: { onSignedIn: (token: string) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const d = await new Api(null).request<{ login: { accessToken: string } }>(
        'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
        { e: email, p: password },
      );
      onSignedIn(d.login.accessToken);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="sign-in" onSubmit={submit}>
      <h1>GridLedger</h1>
      <label>
        Email{' '}
        <input name="email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
      </label>
      <button type="submit" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

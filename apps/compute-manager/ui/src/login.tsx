import { useState } from 'preact/hooks';
import { authorization } from './session.js';

/**
 * Asks for the token and checks it against the manager (GET /topology) before keeping it. The form
 * is never submitted to a URL: the token travels only in the Authorization header.
 */
export function Login({ onToken }: { onToken: (token: string) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const given = token.trim();
    if (!given) return setError('a token is needed');
    setBusy(true);
    setError(null);
    try {
      const res = await fetch('/topology', { headers: authorization(given) });
      if (res.status === 401) setError('token refused');
      else if (!res.ok) setError(`the manager answered ${res.status}`);
      else onToken(given);
    } catch {
      setError('the manager cannot be reached');
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <form onSubmit={submit} data-testid="login-form" autocomplete="off">
        <h1>vnet compute manager</h1>
        <label>
          Token
          <input type="password" name="token" value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value)} data-testid="token" />
        </label>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {error && (
          <p class="error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}

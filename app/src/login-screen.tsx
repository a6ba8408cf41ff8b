import { useState, type FormEvent } from 'react';
import { t } from './shell.messages.ts';
import { errorText } from './use-api.ts';

/** Sign-in form. Shows the API's own message (wrong password, too many attempts, …) beside the form. */
export function LoginScreen({ onLogin, onTyping }: { onLogin(username: string, password: string): Promise<void>; onTyping?(): void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onLogin(username, password);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  return (
    <main className="flex min-h-full items-center justify-center bg-slate-100 p-6">
      {/* The message sits beside the form without moving it: the form stays where the user was typing. */}
      <div className="relative w-full max-w-sm">
        <form onSubmit={submit} className="space-y-4 rounded-lg bg-white p-6 shadow" aria-label={t('login.form')}>
          <h1 className="text-xl font-semibold text-slate-900">Thingwire</h1>
          <label className="block text-sm text-slate-700">
            {t('login.username')}
            <input
              name="username" autoComplete="username" required autoFocus value={username}
              onChange={(e) => {
                setUsername(e.target.value);
                onTyping?.();
              }}
              className="mt-1 block w-full rounded border border-slate-300 px-2 py-1.5 text-slate-900 focus:border-sky-600 focus:outline-none"
            />
          </label>
          <label className="block text-sm text-slate-700">
            {t('login.password')}
            <input
              name="password" type="password" autoComplete="current-password" required value={password}
              onChange={(e) => setPassword(e.target.value)}
              className="mt-1 block w-full rounded border border-slate-300 px-2 py-1.5 text-slate-900 focus:border-sky-600 focus:outline-none"
            />
          </label>
          <button
            type="submit" disabled={busy}
            className="w-full rounded bg-sky-700 px-3 py-2 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-60"
          >
            {busy ? t('login.busy') : t('login.submit')}
          </button>
        </form>
        {error && (
          <p role="alert" className="mt-4 rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-800 sm:absolute sm:top-0 sm:left-full sm:mt-0 sm:ml-4 sm:w-64">
            {error}
          </p>
        )}
      </div>
    </main>
  );
}

import { lazy, Suspense, useEffect } from 'react';
import { useLocaleKey } from './i18n/use-locale.ts';
import { LoginScreen } from './login-screen.tsx';
import { navigate, usePath } from './routing.ts';
import { useSession } from './session.ts';

/** The signed-in app's chunk: most of the UI, which the sign-in screen does not need. */
const loadSignedInApp = () => import('./signed-in-app.tsx');
const SignedInApp = lazy(() => loadSignedInApp().then((m) => ({ default: m.SignedInApp })));

/** The management app: the sign-in screen until a session exists, then the shell with the page for the path. */
export function App() {
  const { session, login, logout } = useSession();
  const path = usePath();
  // A new language or time zone renders every screen again from scratch (no screen keeps text in the old one).
  const localeKey = useLocaleKey();

  useEffect(() => {
    if (path === '/') navigate('/dashboard', { replace: true });
    if (path === '/ota' || path === '/ota/') navigate('/ota/firmware', { replace: true });
  }, [path]);

  if (session.status === 'checking') return null;
  // While the user types, the app they are signing in to loads.
  if (session.status === 'signed-out') return <LoginScreen key={localeKey} onLogin={login} onTyping={() => void loadSignedInApp()} />;
  return (
    <Suspense fallback={null}>
      <SignedInApp key={localeKey} user={session.user} path={path} onLogout={() => void logout()} />
    </Suspense>
  );
}

import { lazy, Suspense, useEffect } from 'react';
import { apiGet, apiRequest } from './api.ts';
import type { EditorApi } from '../../editor/editor-api.ts';
import { LoginScreen } from './login-screen.tsx';
import { navigate, usePath } from './routing.ts';
import { useSession } from './session.ts';
import { Shell } from './shell.tsx';

// The editor (React Flow, CodeMirror) is most of the bundle: loaded when the flows are opened, not at sign-in.
const FlowEditor = lazy(() => import('../../editor/flow-editor.tsx').then((m) => ({ default: m.FlowEditor })));

/** The editor's view of the API; one object, so the editor does not reload on every render of the app. */
const editorApi: EditorApi = { get: apiGet, request: apiRequest };

/** The management app: the sign-in screen until a session exists, then the shell with the page for the path. */
export function App() {
  const { session, login, logout } = useSession();
  const path = usePath();

  useEffect(() => {
    if (path === '/') navigate('/flows', { replace: true });
  }, [path]);

  if (session.status === 'checking') return null;
  if (session.status === 'signed-out') return <LoginScreen onLogin={login} />;
  return (
    <Shell user={session.user} path={path} onLogout={() => void logout()}>
      {path === '/flows' ? (
        <Suspense fallback={<p className="p-4 text-sm text-slate-500">Loading the flow editor…</p>}>
          <FlowEditor api={editorApi} canDeploy={session.user.role !== 'operator'} />
        </Suspense>
      ) : (
        <NotFound path={path} />
      )}
    </Shell>
  );
}

function NotFound({ path }: { path: string }) {
  if (path === '/') return null;
  return (
    <div className="p-8 text-slate-700">
      <h1 className="mb-2 text-lg font-semibold">Nothing at {path}</h1>
      <a href="/flows" onClick={(e) => { e.preventDefault(); navigate('/flows'); }} className="text-sky-700 underline">
        Go to the flows
      </a>
    </div>
  );
}

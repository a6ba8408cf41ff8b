import type { ReactNode } from 'react';
import { navigate } from './routing.ts';
import type { SessionUser } from './session.ts';

/** The app's sections; those not `ready` are shown so users see what is coming, but cannot be opened yet. */
const sections: readonly { path: string; label: string; ready: boolean }[] = [
  { path: '/flows', label: 'Flows', ready: true },
  { path: '/devices', label: 'Devices', ready: false },
  { path: '/products', label: 'Products', ready: false },
  { path: '/alerts', label: 'Alerts', ready: false },
];

/** The frame around every signed-in page: top bar (product, user, sign out) and the left navigation. */
export function Shell({ user, path, onLogout, children }: { user: SessionUser; path: string; onLogout(): void; children: ReactNode }) {
  return (
    <div className="flex h-full flex-col bg-white text-slate-900">
      <header className="flex h-12 shrink-0 items-center justify-between bg-slate-900 px-4 text-white">
        <span className="text-lg font-semibold tracking-tight">Thingwire</span>
        <div className="flex items-center gap-4 text-sm">
          <span>
            <span data-testid="current-user">{user.username}</span>{' '}
            <span className="rounded bg-slate-700 px-1.5 py-0.5 text-xs uppercase tracking-wide text-slate-200">{user.role}</span>
          </span>
          <button type="button" onClick={onLogout} className="rounded px-2 py-1 text-slate-200 hover:bg-slate-700 hover:text-white">
            Sign out
          </button>
        </div>
      </header>
      <div className="flex min-h-0 flex-1">
        <nav aria-label="Sections" className="w-44 shrink-0 border-r border-slate-200 bg-slate-50 py-3 text-sm">
          <ul>
            {sections.map((s) => (
              <li key={s.path}>
                {s.ready ? (
                  <a
                    href={s.path}
                    aria-current={path.startsWith(s.path) ? 'page' : undefined}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(s.path);
                    }}
                    className="block px-4 py-2 font-medium text-slate-700 hover:bg-slate-200 aria-[current=page]:bg-sky-100 aria-[current=page]:text-sky-900"
                  >
                    {s.label}
                  </a>
                ) : (
                  <span aria-disabled="true" title="Coming soon" className="flex items-center justify-between px-4 py-2 text-slate-400">
                    {s.label} <span className="text-[10px] uppercase tracking-wide">soon</span>
                  </span>
                )}
              </li>
            ))}
          </ul>
        </nav>
        <main className="relative min-w-0 flex-1">{children}</main>
      </div>
    </div>
  );
}

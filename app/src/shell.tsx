import type { ReactNode } from 'react';
import { layoutStore, usePanelLayout } from '../../editor/layout/use-panel-layout.ts';
import { AlertNavBadge, CriticalAlertToasts } from './alerts/alert-live.tsx';
import { Link } from './routing.ts';
import type { SessionUser } from './session.ts';
import { cx } from './ui/cx.ts';

/** The app's sections in the left navigation; `permission` hides one from roles that could not use it. */
const sections: readonly { path: string; label: string; icon: string; permission?: string }[] = [
  { path: '/dashboard', label: 'Dashboard', icon: 'fa-tachometer' },
  { path: '/devices', label: 'Devices', icon: 'fa-microchip' },
  { path: '/products', label: 'Products', icon: 'fa-cubes' },
  { path: '/ota', label: 'Firmware', icon: 'fa-cloud-download', permission: 'ota:read' },
  { path: '/alerts', label: 'Alerts', icon: 'fa-bell' },
  { path: '/flows', label: 'Flows', icon: 'fa-sitemap' },
  { path: '/users', label: 'Users', icon: 'fa-users', permission: 'users:manage' },
  { path: '/account', label: 'My account', icon: 'fa-user' },
];

/**
 * The frame around every signed-in page: top bar (product, user, sign out) and the left navigation, which narrows to
 * icons on tablet widths so the page keeps its room. On the Flows page it stays icons unless opened (remembered with
 * the editor's panels), so the canvas gets the room.
 */
export function Shell({ user, path, onLogout, children }: { user: SessionUser; path: string; onLogout(): void; children: ReactNode }) {
  const onFlows = path === '/flows' || path.startsWith('/flows/');
  const navOpen = usePanelLayout().nav || !onFlows;
  return (
    <div className="flex h-full flex-col bg-slate-100 text-slate-900">
      <header className="flex h-12 shrink-0 items-center justify-between bg-slate-900 px-4 text-white">
        <Link to="/dashboard" className="text-lg font-semibold tracking-tight">Thingwire</Link>
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
        <nav aria-label="Sections" className={cx('flex w-14 shrink-0 flex-col border-r border-slate-200 bg-white py-3 text-sm', navOpen && 'lg:w-48')}>
          <ul className="space-y-0.5">
            {sections
              .filter((s) => !s.permission || user.permissions.includes(s.permission))
              .map((s) => {
                const current = path === s.path || path.startsWith(`${s.path}/`);
                return (
                  <li key={s.path}>
                    <Link
                      to={s.path}
                      aria-current={current ? 'page' : undefined}
                      title={s.label}
                      className={cx(
                        'relative mx-2 flex items-center gap-3 rounded-md px-3 py-2 font-medium',
                        current ? 'bg-sky-50 text-sky-900' : 'text-slate-700 hover:bg-slate-100',
                      )}
                    >
                      <i aria-hidden className={cx('fa fa-fw', s.icon, current ? 'text-sky-700' : 'text-slate-400')} />
                      <span className={cx('sr-only', navOpen && 'lg:not-sr-only')}>{s.label}</span>
                      {s.path === '/alerts' && (
                        <>
                          {/* Narrow: a number on the icon; wide: a pill per severity after the label. */}
                          <AlertNavBadge narrow className={navOpen ? 'lg:hidden' : undefined} />
                          {navOpen && <AlertNavBadge narrow={false} className="hidden lg:flex" />}
                        </>
                      )}
                    </Link>
                  </li>
                );
              })}
          </ul>
          {onFlows && <NavToggle open={navOpen} />}
        </nav>
        <main className="relative min-w-0 flex-1 bg-slate-50">{children}</main>
        <CriticalAlertToasts />
      </div>
    </div>
  );
}

/** Narrows the navigation to icons or widens it to labels, on the Flows page (on narrow windows it stays icons). */
function NavToggle({ open }: { open: boolean }) {
  return (
    <button
      type="button" onClick={() => layoutStore().toggle('nav')} aria-expanded={open} aria-label={open ? 'Narrow the navigation' : 'Widen the navigation'}
      title={open ? 'Narrow the navigation to icons' : 'Show the navigation’s labels'}
      className="mx-2 mt-auto hidden items-center gap-3 rounded-md px-3 py-2 text-slate-400 hover:bg-slate-100 hover:text-slate-700 lg:flex"
    >
      <i aria-hidden className={cx('fa fa-fw', open ? 'fa-angle-double-left' : 'fa-angle-double-right')} />
    </button>
  );
}

import type { ReactNode } from 'react';
import { layoutStore, usePanelLayout } from '../../editor/layout/use-panel-layout.ts';
import { AlertNavBadge, CriticalAlertToasts } from './alerts/alert-live.tsx';
import { Link } from './routing.ts';
import type { SessionUser } from './session.ts';
import { apiRequest } from './api.ts';
import { chosenTimeZone, currentLocale, LOCALE_NAMES, LOCALES, setLocale, type Locale } from './i18n/locale.ts';
import { useLocale } from './i18n/use-locale.ts';
import { t } from './shell.messages.ts';
import { cx } from './ui/cx.ts';
import { setThemeChoice, themeChoice, type ThemeChoice } from './ui/theme.ts';
import { useThemeChoice } from './ui/use-theme.ts';

/** The app's sections in the left navigation; `permission` hides one from roles that could not use it. */
const sections: readonly { path: string; label: Parameters<typeof t>[0]; icon: string; permission?: string }[] = [
  { path: '/dashboard', label: 'nav.dashboard', icon: 'fa-tachometer' },
  { path: '/devices', label: 'nav.devices', icon: 'fa-microchip' },
  { path: '/products', label: 'nav.products', icon: 'fa-cubes' },
  { path: '/ota', label: 'nav.firmware', icon: 'fa-cloud-download', permission: 'ota:read' },
  { path: '/alerts', label: 'nav.alerts', icon: 'fa-bell' },
  { path: '/flows', label: 'nav.flows', icon: 'fa-sitemap' },
  { path: '/users', label: 'nav.users', icon: 'fa-users', permission: 'users:manage' },
  { path: '/account', label: 'nav.account', icon: 'fa-user' },
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
      {/* The top bar stays dark in both themes: its dark: classes name the light theme's colours, which the dark palette turns over. */}
      <header className="flex h-12 shrink-0 items-center justify-between bg-slate-900 px-4 text-white dark:border-b dark:border-slate-300 dark:bg-white dark:text-slate-900">
        <Link to="/dashboard" className="text-lg font-semibold tracking-tight">Thingwire</Link>
        <div className="flex items-center gap-3 text-sm">
          <LanguageMenu />
          <ThemeButton />
          <span>
            <span data-testid="current-user">{user.username}</span>{' '}
            <span className="rounded bg-slate-700 px-1.5 py-0.5 text-xs uppercase tracking-wide text-slate-200 dark:bg-slate-200 dark:text-slate-700">{t(`role.${user.role}`)}</span>
          </span>
          <button type="button" onClick={onLogout} className="rounded px-2 py-1 text-slate-200 hover:bg-slate-700 hover:text-white dark:text-slate-700 dark:hover:bg-slate-200 dark:hover:text-slate-900">
            {t('top.signOut')}
          </button>
        </div>
      </header>
      <div className="flex min-h-0 flex-1">
        <nav aria-label={t('nav.sections')} className={cx('flex w-14 shrink-0 flex-col border-r border-slate-200 bg-white py-3 text-sm', navOpen && 'lg:w-48')}>
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
                      title={t(s.label)}
                      className={cx(
                        'relative mx-2 flex items-center gap-3 rounded-md px-3 py-2 font-medium',
                        current ? 'bg-sky-50 text-sky-900' : 'text-slate-700 hover:bg-slate-100',
                      )}
                    >
                      <i aria-hidden className={cx('fa fa-fw', s.icon, current ? 'text-sky-700' : 'text-slate-400')} />
                      <span className={cx('sr-only', navOpen && 'lg:not-sr-only')}>{t(s.label)}</span>
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
      type="button" onClick={() => layoutStore().toggle('nav')} aria-expanded={open} aria-label={open ? t('nav.narrow') : t('nav.widen')}
      title={open ? t('nav.narrowTitle') : t('nav.widenTitle')}
      className="mx-2 mt-auto hidden items-center gap-3 rounded-md px-3 py-2 text-slate-400 hover:bg-slate-100 hover:text-slate-700 lg:flex"
    >
      <i aria-hidden className={cx('fa fa-fw', open ? 'fa-angle-double-left' : 'fa-angle-double-right')} />
    </button>
  );
}

/**
 * Saves the signed-in user's language, time zone and theme, so they follow the user to any browser. A failure is
 * only logged: the choice still applies in this browser.
 */
export function savePreferences(prefs: { locale?: Locale; timeZone?: string | null; theme?: ThemeChoice }): Promise<unknown> {
  const body = {
    locale: prefs.locale ?? currentLocale(),
    timeZone: prefs.timeZone === undefined ? chosenTimeZone() : prefs.timeZone,
    theme: prefs.theme ?? themeChoice(),
  };
  return apiRequest('PUT', '/auth/me/preferences', body).catch((err: unknown) => console.error('saving preferences failed', err));
}

/** The language menu of the top bar: each language named in itself. */
function LanguageMenu() {
  const locale = useLocale();
  return (
    <label className="flex items-center gap-1.5 text-slate-300 dark:text-slate-600">
      <i aria-hidden className="fa fa-language" />
      <span className="sr-only">{t('top.language')}</span>
      <select
        value={locale}
        onChange={(e) => {
          const next = e.target.value as Locale;
          setLocale(next);
          void savePreferences({ locale: next });
        }}
        className="rounded border-0 bg-slate-800 py-0.5 pl-1.5 pr-6 text-xs text-white focus:ring-1 focus:ring-sky-400 dark:bg-slate-100 dark:text-slate-900"
      >
        {LOCALES.map((l) => <option key={l} value={l} lang={l}>{LOCALE_NAMES[l]}</option>)}
      </select>
    </label>
  );
}

const THEME_ORDER: readonly ThemeChoice[] = ['system', 'light', 'dark'];
const THEME_ICONS: Record<ThemeChoice, string> = { system: 'fa-adjust', light: 'fa-sun-o', dark: 'fa-moon-o' };

/** Cycles the theme: as the system, light, dark. */
function ThemeButton() {
  const choice = useThemeChoice();
  const next = THEME_ORDER[(THEME_ORDER.indexOf(choice) + 1) % THEME_ORDER.length]!;
  const label = t('top.theme', { theme: t(`theme.${choice}`), next: t(`theme.${next}`) });
  return (
    <button
      type="button" aria-label={label} title={label} data-theme-choice={choice}
      onClick={() => {
        setThemeChoice(next);
        void savePreferences({ theme: next });
      }}
      className="rounded px-2 py-1 text-slate-300 hover:bg-slate-700 hover:text-white dark:text-slate-600 dark:hover:bg-slate-200 dark:hover:text-slate-900"
    >
      <i aria-hidden className={cx('fa fa-fw', THEME_ICONS[choice])} />
    </button>
  );
}

/**
 * The signed-in app: the shell and the page for the path. Its own chunk, loaded once a session exists (or while the
 * user types their password), so the sign-in screen loads only what it shows.
 */
import { lazy, Suspense, type ReactNode } from 'react';
import { apiGet, apiRequest } from './api.ts';
import type { EditorApi } from '../../editor/editor-api.ts';
import { AlertListPage } from './alerts/alert-list-page.tsx';
import { AlertPage } from './alerts/alert-page.tsx';
import { AlertRulesPage } from './alerts/alert-rules-page.tsx';
import { DashboardPage } from './dashboard/dashboard-page.tsx';
import { DeviceDetailPage } from './devices/device-detail-page.tsx';
import { DeviceListPage } from './devices/device-list-page.tsx';
import { CampaignPage } from './ota/campaign-page.tsx';
import { CampaignWizardPage } from './ota/campaign-wizard-page.tsx';
import { OtaPage } from './ota/ota-page.tsx';
import { ProductListPage } from './products/product-list-page.tsx';
import { ProductPage } from './products/product-page.tsx';
import { Link, matchPath } from './routing.ts';
import { UserContext, type SessionUser } from './session.ts';
import { Shell } from './shell.tsx';
import { t } from './shell.messages.ts';
import { richText } from './i18n/rich.tsx';
import { AccountPage } from './users/account-page.tsx';
import { UserListPage } from './users/user-list-page.tsx';

// The editor (React Flow, CodeMirror) is most of the bundle: loaded when the flows are opened, not at sign-in.
const FlowEditor = lazy(() => import('../../editor/flow-editor.tsx').then((m) => ({ default: m.FlowEditor })));

/** The editor's view of the API; one object, so the editor does not reload on every render of the app. */
const editorApi: EditorApi = { get: apiGet, request: apiRequest };

/** The app's pages by path pattern; the first match wins. `permission` hides a page from roles without it. */
const routes: readonly { pattern: string; permission?: string; render(params: Record<string, string>, user: SessionUser): ReactNode }[] = [
  { pattern: '/dashboard', render: () => <DashboardPage /> },
  { pattern: '/devices', render: () => <DeviceListPage /> },
  { pattern: '/devices/:productKey/:deviceName', render: (p) => <DeviceDetailPage productKey={p.productKey!} deviceName={p.deviceName!} /> },
  { pattern: '/products', render: () => <ProductListPage /> },
  { pattern: '/products/:productKey', render: (p) => <ProductPage productKey={p.productKey!} /> },
  { pattern: '/ota/firmware', permission: 'ota:read', render: () => <OtaPage tab="firmware" /> },
  { pattern: '/ota/campaigns', permission: 'ota:read', render: () => <OtaPage tab="campaigns" /> },
  { pattern: '/ota/campaigns/new', permission: 'ota:write', render: () => <CampaignWizardPage /> },
  { pattern: '/ota/campaigns/:id', permission: 'ota:read', render: (p) => <CampaignPage key={p.id} id={p.id!} /> },
  { pattern: '/alerts', render: () => <AlertListPage /> },
  { pattern: '/alerts/rules', render: () => <AlertRulesPage /> },
  { pattern: '/alerts/:id', render: (p) => <AlertPage id={p.id!} /> },
  {
    pattern: '/flows',
    render: (_p, user) => (
      <Suspense fallback={<p className="p-4 text-sm text-slate-500">{t('app.loadingEditor')}</p>}>
        <FlowEditor
          api={editorApi} canDeploy={user.permissions.includes('flows:write')} canDeployCode={user.permissions.includes('flows:code')}
          revealNodeId={new URLSearchParams(window.location.search).get('node') ?? undefined}
        />
      </Suspense>
    ),
  },
  { pattern: '/users', permission: 'users:manage', render: () => <UserListPage /> },
  { pattern: '/account', render: () => <AccountPage /> },
];

/** The shell around the page for `path`, for `user`. */
export function SignedInApp({ user, path, onLogout }: { user: SessionUser; path: string; onLogout(): void }) {
  let page: ReactNode = path === '/' || path === '/ota' ? null : <NotFound path={path} />;
  for (const route of routes) {
    const params = matchPath(route.pattern, path);
    if (!params) continue;
    page = route.permission && !user.permissions.includes(route.permission) ? <NotFound path={path} /> : route.render(params, user);
    break;
  }
  return (
    <UserContext.Provider value={user}>
      <Shell user={user} path={path} onLogout={onLogout}>
        {page}
      </Shell>
    </UserContext.Provider>
  );
}

function NotFound({ path }: { path: string }) {
  return (
    <div className="p-8 text-slate-700">
      <h1 className="mb-2 text-lg font-semibold">{t('app.notFound', { path })}</h1>
      <p className="text-sm">
        {richText(t('app.notFoundBody'), { link: (text) => <Link to="/dashboard" className="text-sky-700 underline">{text}</Link> })}
      </p>
    </div>
  );
}

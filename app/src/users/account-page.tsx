import { useUser } from '../session.ts';
import { useApi } from '../use-api.ts';
import { Badge } from '../ui/badge.tsx';
import { Facts, Page, Panel } from '../ui/page.tsx';
import { formatTime } from '../ui/time.tsx';
import { ApiTokensPanel } from './api-tokens-panel.tsx';
import { PasswordPanel } from './password-panel.tsx';
import { PreferencesPanel } from './preferences-panel.tsx';
import { roleLabel, roleSummary, type Me } from './user-types.ts';
import { t } from './users.messages.ts';

/** `/account` (everyone): who I am, my password, my API tokens. */
export function AccountPage() {
  const user = useUser();
  const me = useApi<Me>('/auth/me');
  return (
    <Page title={t('account.title')} subtitle={t('account.subtitle')}>
      <div className="grid gap-5 lg:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
        <Panel title={t('account.who')}>
          <Facts
            items={[
              [t('account.username'), <strong key="u">{user.username}</strong>],
              [t('account.role'), <span key="r"><Badge tone="blue">{roleLabel(user.role)}</Badge><span className="mt-1 block text-slate-600">{roleSummary(user.role)}</span></span>],
              [t('account.created'), me.data ? formatTime(me.data.createdAt) : '…'],
              [t('account.signedInWith'), me.data ? (me.data.via === 'session' ? t('account.viaSession') : t('account.viaToken')) : '…'],
            ]}
          />
          <p className="mt-3 text-xs text-slate-500">
            {user.role === 'admin' ? t('account.roleChangeAdmin') : t('account.roleChange')}
          </p>
        </Panel>
        <PasswordPanel />
      </div>
      <PreferencesPanel />
      <ApiTokensPanel />
    </Page>
  );
}

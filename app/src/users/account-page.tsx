import { useUser } from '../session.ts';
import { useApi } from '../use-api.ts';
import { Badge } from '../ui/badge.tsx';
import { Facts, Page, Panel } from '../ui/page.tsx';
import { formatTime } from '../ui/time.tsx';
import { ApiTokensPanel } from './api-tokens-panel.tsx';
import { PasswordPanel } from './password-panel.tsx';
import { roleSummaries, type Me } from './user-types.ts';

/** `/account` (everyone): who I am, my password, my API tokens. */
export function AccountPage() {
  const user = useUser();
  const me = useApi<Me>('/auth/me');
  return (
    <Page title="My account" subtitle="Your sign-in, your password and the API tokens your scripts use.">
      <div className="grid gap-5 lg:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
        <Panel title="Who am I">
          <Facts
            items={[
              ['Username', <strong key="u">{user.username}</strong>],
              ['Role', <span key="r"><Badge tone="blue">{user.role}</Badge><span className="mt-1 block text-slate-600">{roleSummaries[user.role]}</span></span>],
              ['Account created', me.data ? formatTime(me.data.createdAt) : '…'],
              ['Signed in with', me.data ? (me.data.via === 'session' ? 'a browser session' : 'an API token') : '…'],
            ]}
          />
          <p className="mt-3 text-xs text-slate-500">
            {user.role === 'admin' ? 'Another admin can change your role on Users.' : 'An admin can change your role.'}
          </p>
        </Panel>
        <PasswordPanel />
      </div>
      <ApiTokensPanel />
    </Page>
  );
}

import { useState, type FormEvent } from 'react';
import { apiRequest } from '../api.ts';
import { useUser } from '../session.ts';
import { useApi } from '../use-api.ts';
import { Button } from '../ui/button.tsx';
import { CopyBlock } from '../ui/copy-button.tsx';
import { Dialog } from '../ui/dialog.tsx';
import { EmptyState, ErrorNote, Loading } from '../ui/feedback.tsx';
import { Field, INPUT } from '../ui/field.tsx';
import { Panel } from '../ui/page.tsx';
import { formatTime } from '../ui/time.tsx';
import { formErrors } from './form-errors.ts';
import { TokenTable } from './token-table.tsx';
import { roleAtMost, roleLabel, roles, roleSummary, type ApiToken, type CreatedApiToken, type Role } from './user-types.ts';
import { t } from './users.messages.ts';
import { tc } from '../i18n/common.messages.ts';
import { richText } from '../i18n/rich.tsx';

type TokenField = 'name' | 'role' | 'expiresInDays';

/**
 * My API tokens: long-lived credentials for scripts. A new token is shown once, in a dialog that says so; the list
 * shows only what a token is (name, role, dates), never the token.
 */
export function ApiTokensPanel() {
  const me = useUser();
  const tokens = useApi<{ items: ApiToken[] }>('/auth/tokens');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const origin = window.location.origin;
  return (
    <Panel
      title={t('tokens.title')}
      actions={!creating && <Button size="sm" variant="primary" onClick={() => setCreating(true)}><i aria-hidden className="fa fa-plus" /> {t('tokens.new')}</Button>}
      bodyClassName="space-y-4"
    >
      <div className="space-y-1.5 text-sm text-slate-700">
        <p>
          {richText(t('tokens.intro'), { code: (text) => <code className="rounded bg-slate-100 px-1 font-mono text-xs">{text}</code> })}
        </p>
        <p className="text-slate-600">{t('tokens.intro2')}</p>
      </div>

      {creating && (
        <NewTokenForm
          myRole={me.role}
          onCancel={() => setCreating(false)}
          onCreated={(token) => {
            setCreating(false);
            setCreated(token);
            void tokens.reload();
          }}
        />
      )}

      {tokens.error && <ErrorNote error={tokens.error} />}
      {tokens.loading ? (
        <Loading what={t('tokens.loading')} />
      ) : tokens.data && tokens.data.items.length === 0 ? (
        !creating && (
          <EmptyState title={t('tokens.empty')} action={<Button variant="primary" onClick={() => setCreating(true)}>{t('tokens.new')}</Button>}>
            {t('tokens.emptyHint')}
          </EmptyState>
        )
      ) : tokens.data && (
        <TokenTable items={tokens.data.items} revokePath={(token) => `/auth/tokens/${token.id}`} onRevoked={tokens.reload} />
      )}

      <Dialog
        open={created !== null}
        onOpenChange={(open) => {
          if (open) return;
          setCreated(null);
          // "Last used" changes once the token is tried.
          void tokens.reload();
        }}
        wide
        title={t('tokens.copyTitle', { name: created?.name ?? '' })}
        description={t('tokens.copyDescription')}
        footer={<Button variant="primary" onClick={() => { setCreated(null); void tokens.reload(); }}>{t('tokens.copiedIt')}</Button>}
      >
        {created && (
          <div className="space-y-4 text-sm">
            <CopyBlock id="new-api-token" text={created.token} label={t('tokens.newToken')} />
            <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-amber-900">
              <i aria-hidden className="fa fa-exclamation-triangle" />{' '}
              {richText(
                created.expiresAt
                  ? t('tokens.actsAsUntil', { role: roleLabel(created.role), time: formatTime(created.expiresAt) })
                  : t('tokens.actsAsUntilRevoked', { role: roleLabel(created.role) }),
                { strong: (text) => <strong>{text}</strong> },
              )}
            </p>
            <div className="space-y-1.5">
              <p className="font-medium text-slate-700">{t('tokens.tryIt')}</p>
              <CopyBlock id="new-api-token-curl" label={t('tokens.curlExample')} text={`curl -s ${origin}/api/v1/auth/me -H "Authorization: Bearer ${created.token}"`} />
              <CopyBlock id="new-api-token-sim" label={t('tokens.simulatorExample')} text={`THINGWIRE_TOKEN=${created.token} npm run device -- --product <productKey> --device <deviceName> --api ${origin}`} />
            </div>
          </div>
        )}
      </Dialog>

    </Panel>
  );
}

function NewTokenForm({ myRole, onCancel, onCreated }: { myRole: Role; onCancel(): void; onCreated(token: CreatedApiToken): void }) {
  const offered = roles.filter((r) => roleAtMost(r, myRole));
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>(myRole);
  const [days, setDays] = useState('90');
  const [errors, setErrors] = useState<{ fields: Partial<Record<TokenField, string>>; rest?: unknown }>({ fields: {} });
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const fields: Partial<Record<TokenField, string>> = {};
    if (!name.trim()) fields.name = t('tokens.nameRequired');
    const expires = days.trim() === '' ? undefined : Number(days);
    if (expires !== undefined && (!Number.isInteger(expires) || expires < 1 || expires > 3650)) fields.expiresInDays = t('tokens.daysInvalid');
    setErrors({ fields });
    if (Object.keys(fields).length) return;
    setBusy(true);
    try {
      onCreated(await apiRequest<CreatedApiToken>('POST', '/auth/tokens', { name: name.trim(), role, ...(expires ? { expiresInDays: expires } : {}) }));
    } catch (err) {
      setErrors(formErrors<TokenField>(err, { forbidden: 'role' }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} aria-label={t('tokens.newToken')} noValidate className="space-y-3 rounded-md border border-slate-200 bg-slate-50 p-3">
      <div className="grid gap-3 md:grid-cols-3">
        <Field label={t('tokens.name')} error={errors.fields.name}>
          <input className={INPUT} maxLength={100} placeholder={t('tokens.namePlaceholder')} value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label={t('tokens.role')} error={errors.fields.role} hint={roleSummary(role)}>
          <select className={INPUT} value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {offered.map((r) => <option key={r} value={r}>{roleLabel(r)}</option>)}
          </select>
        </Field>
        <Field label={t('tokens.expiresAfter')} error={errors.fields.expiresInDays} hint={t('tokens.expiresHint')}>
          <input className={INPUT} type="number" min={1} max={3650} inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} />
        </Field>
      </div>
      {errors.rest !== undefined && <ErrorNote error={errors.rest} />}
      <div className="flex justify-end gap-2">
        <Button onClick={onCancel}>{tc('cancel')}</Button>
        <Button type="submit" variant="primary" disabled={busy}>{busy ? t('tokens.creating') : t('tokens.create')}</Button>
      </div>
    </form>
  );
}

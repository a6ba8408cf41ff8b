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
import { roleAtMost, roles, roleSummaries, type ApiToken, type CreatedApiToken, type Role } from './user-types.ts';

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
      title="API tokens"
      actions={!creating && <Button size="sm" variant="primary" onClick={() => setCreating(true)}><i aria-hidden className="fa fa-plus" /> New token</Button>}
      bodyClassName="space-y-4"
    >
      <div className="space-y-1.5 text-sm text-slate-700">
        <p>
          A token lets a script or a tool call the Thingwire API as you, without your password. Send it in the{' '}
          <code className="rounded bg-slate-100 px-1 font-mono text-xs">Authorization: Bearer twt_…</code> header; the
          device simulator reads it from <code className="rounded bg-slate-100 px-1 font-mono text-xs">THINGWIRE_TOKEN</code>.
        </p>
        <p className="text-slate-600">
          A token may have a weaker role than yours (an operator token for a dashboard script) and never does more than your
          role does now. It works until it expires or you revoke it, and is shown only once, when you create it. Changing
          your password revokes your tokens unless you choose to keep them.
        </p>
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
        <Loading what="your tokens" />
      ) : tokens.data && tokens.data.items.length === 0 ? (
        !creating && (
          <EmptyState title="No API tokens yet" action={<Button variant="primary" onClick={() => setCreating(true)}>New token</Button>}>
            Create one for each script or machine that talks to the API, so you can revoke one without breaking the others.
          </EmptyState>
        )
      ) : tokens.data && (
        <TokenTable items={tokens.data.items} revokePath={(t) => `/auth/tokens/${t.id}`} onRevoked={tokens.reload} />
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
        title={`Copy the token “${created?.name ?? ''}” now`}
        description="This is the only time Thingwire shows it: it keeps only a hash. If you lose it, revoke it and create another."
        footer={<Button variant="primary" onClick={() => { setCreated(null); void tokens.reload(); }}>I have copied it</Button>}
      >
        {created && (
          <div className="space-y-4 text-sm">
            <CopyBlock id="new-api-token" text={created.token} label="New API token" />
            <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-amber-900">
              <i aria-hidden className="fa fa-exclamation-triangle" /> Anyone holding it acts as you with the role{' '}
              <strong>{created.role}</strong>{created.expiresAt ? ` until ${formatTime(created.expiresAt)}` : ' until you revoke it'}. Keep it in a secret
              store, not in code.
            </p>
            <div className="space-y-1.5">
              <p className="font-medium text-slate-700">Try it</p>
              <CopyBlock id="new-api-token-curl" label="curl example" text={`curl -s ${origin}/api/v1/auth/me -H "Authorization: Bearer ${created.token}"`} />
              <CopyBlock id="new-api-token-sim" label="Simulator example" text={`THINGWIRE_TOKEN=${created.token} npm run device -- --product <productKey> --device <deviceName> --api ${origin}`} />
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
    if (!name.trim()) fields.name = 'Name it after what uses it (a script, a machine).';
    const expires = days.trim() === '' ? undefined : Number(days);
    if (expires !== undefined && (!Number.isInteger(expires) || expires < 1 || expires > 3650)) fields.expiresInDays = 'A whole number of days from 1 to 3650, or empty for never.';
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
    <form onSubmit={(e) => void submit(e)} aria-label="New API token" noValidate className="space-y-3 rounded-md border border-slate-200 bg-slate-50 p-3">
      <div className="grid gap-3 md:grid-cols-3">
        <Field label="Token name" error={errors.fields.name}>
          <input className={INPUT} maxLength={100} placeholder="e.g. nightly export" value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Token role" error={errors.fields.role} hint={roleSummaries[role]}>
          <select className={INPUT} value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {offered.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </Field>
        <Field label="Expires after (days)" error={errors.fields.expiresInDays} hint="Empty: never expires.">
          <input className={INPUT} type="number" min={1} max={3650} inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} />
        </Field>
      </div>
      {errors.rest !== undefined && <ErrorNote error={errors.rest} />}
      <div className="flex justify-end gap-2">
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" disabled={busy}>{busy ? 'Creating…' : 'Create token'}</Button>
      </div>
    </form>
  );
}

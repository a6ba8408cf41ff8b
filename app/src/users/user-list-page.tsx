import { useState, type FormEvent } from 'react';
import { apiRequest } from '../api.ts';
import { Link } from '../routing.ts';
import { useCan, useUser } from '../session.ts';
import { useApi } from '../use-api.ts';
import { Badge } from '../ui/badge.tsx';
import { Button } from '../ui/button.tsx';
import { CopyBlock } from '../ui/copy-button.tsx';
import { ConfirmDialog, Dialog } from '../ui/dialog.tsx';
import { EmptyState, ErrorNote, Loading } from '../ui/feedback.tsx';
import { Field, INPUT } from '../ui/field.tsx';
import { Page } from '../ui/page.tsx';
import { Table, TBody, Td, Th } from '../ui/table.tsx';
import { formatTime } from '../ui/time.tsx';
import { AuditLogPanel } from './audit-log-panel.tsx';
import { formErrors } from './form-errors.ts';
import { NewPasswordField, RevokeTokensChoice } from './new-password-field.tsx';
import { TokenTable } from './token-table.tsx';
import { MIN_PASSWORD, roleLabel, roles, roleSummary, USERNAME, usernameRule, type ApiToken, type Role, type User } from './user-types.ts';
import { t } from './users.messages.ts';
import { tc } from '../i18n/common.messages.ts';
import { richText } from '../i18n/rich.tsx';

/**
 * `/users` (admins): the accounts, their roles, and the audit log. Your own account has no delete, disable or role
 * control here: an admin cannot lock themself out (the API refuses deleting yourself), another admin can.
 */
export function UserListPage() {
  const me = useUser();
  const canAudit = useCan('audit:read');
  const users = useApi<{ items: User[] }>('/users');
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<User | null>(null);
  const [tokensOf, setTokensOf] = useState<User | null>(null);
  const [deleting, setDeleting] = useState<User | null>(null);
  const [deleteState, setDeleteState] = useState<{ busy: boolean; error?: unknown }>({ busy: false });
  const [rows, setRows] = useState<Record<number, { busy?: boolean; error?: unknown }>>({});
  const [changes, setChanges] = useState(0);

  const changed = async () => {
    await users.reload();
    setChanges((n) => n + 1);
  };

  const patch = async (user: User, body: { role?: Role; disabled?: boolean }) => {
    setRows((r) => ({ ...r, [user.id]: { busy: true } }));
    try {
      await apiRequest('PATCH', `/users/${user.id}`, body);
      setRows((r) => ({ ...r, [user.id]: {} }));
      await changed();
    } catch (err) {
      setRows((r) => ({ ...r, [user.id]: { error: err } }));
    }
  };

  const remove = async () => {
    if (!deleting) return;
    setDeleteState({ busy: true });
    try {
      await apiRequest('DELETE', `/users/${deleting.id}`);
      setDeleting(null);
      setDeleteState({ busy: false });
      await changed();
    } catch (err) {
      setDeleteState({ busy: false, error: err });
    }
  };

  return (
    <Page
      title={t('users.title')}
      subtitle={t('users.subtitle')}
      actions={<Button variant="primary" onClick={() => setCreating(true)}><i aria-hidden className="fa fa-user-plus" /> {t('users.new')}</Button>}
    >
      {users.error && <ErrorNote error={users.error} />}
      {users.loading ? (
        <Loading what={t('users.loading')} />
      ) : users.data && users.data.items.length === 0 ? (
        <EmptyState title={t('users.empty')} action={<Button variant="primary" onClick={() => setCreating(true)}>{t('users.new')}</Button>} />
      ) : users.data && (
        <Table label={t('users.title')}>
          <thead>
            <tr>
              <Th>{t('users.col.username')}</Th>
              <Th>{t('users.col.role')}</Th>
              <Th>{t('users.col.status')}</Th>
              <Th>{t('users.col.created')}</Th>
              <Th><span className="sr-only">{t('users.col.actions')}</span></Th>
            </tr>
          </thead>
          <TBody>
            {users.data.items.map((user) => {
              const self = user.username === me.username;
              const row = rows[user.id] ?? {};
              return (
                <tr key={user.id} aria-label={user.username}>
                  <Td className="font-medium">
                    {user.username} {self && <Badge tone="blue">{t('users.you')}</Badge>}
                  </Td>
                  <Td>
                    {self ? (
                      <span title={t('users.selfRoleHint')}>{roleLabel(user.role)}</span>
                    ) : (
                      <select
                        aria-label={t('users.roleOf', { user: user.username })}
                        className={`${INPUT} w-auto py-1`}
                        value={user.role}
                        disabled={row.busy}
                        onChange={(e) => void patch(user, { role: e.target.value as Role })}
                      >
                        {roles.map((r) => <option key={r} value={r}>{roleLabel(r)}</option>)}
                      </select>
                    )}
                    {row.error !== undefined && <ErrorNote error={row.error} className="mt-1.5" />}
                  </Td>
                  <Td>{user.disabled ? <Badge tone="amber">{t('users.disabled')}</Badge> : <Badge tone="green">{t('users.active')}</Badge>}</Td>
                  <Td className="whitespace-nowrap text-slate-600">{formatTime(user.createdAt)}</Td>
                  <Td className="whitespace-nowrap text-right">
                    <span className="inline-flex flex-wrap justify-end gap-1.5">
                      {self ? (
                        // Resetting one's own password here would end this session too; My account keeps it.
                        <Link to="/account" className="px-2 py-1 text-xs text-sky-800 hover:underline">{t('users.changeOwnPassword')}</Link>
                      ) : (
                        <Button size="sm" aria-label={t('users.resetOf', { user: user.username })} onClick={() => setResetting(user)}>{t('users.reset')}</Button>
                      )}
                      <Button size="sm" aria-label={t('users.tokensOf', { user: user.username })} onClick={() => setTokensOf(user)}>{t('users.tokens')}</Button>
                      {!self && (
                        <Button size="sm" disabled={row.busy} aria-label={t(user.disabled ? 'users.enableLabel' : 'users.disableLabel', { user: user.username })} onClick={() => void patch(user, { disabled: !user.disabled })}>
                          {user.disabled ? t('users.enable') : t('users.disable')}
                        </Button>
                      )}
                      {!self && (
                        <Button size="sm" variant="danger" aria-label={t('users.deleteLabel', { user: user.username })} onClick={() => { setDeleteState({ busy: false }); setDeleting(user); }}>
                          {tc('delete')}
                        </Button>
                      )}
                    </span>
                  </Td>
                </tr>
              );
            })}
          </TBody>
        </Table>
      )}
      <dl className="grid gap-x-4 gap-y-1 text-xs text-slate-600 sm:grid-cols-[max-content_1fr]" aria-label={t('users.roles')}>
        {roles.map((r) => (
          <div key={r} className="contents">
            <dt className="font-medium text-slate-700">{roleLabel(r)}</dt>
            <dd>{roleSummary(r)}</dd>
          </div>
        ))}
      </dl>

      {canAudit && <AuditLogPanel refreshKey={changes} />}

      <NewUserDialog open={creating} onOpenChange={setCreating} onCreated={() => void changed()} />
      {resetting && <ResetPasswordDialog user={resetting} onClose={() => setResetting(null)} onDone={() => void changed()} />}
      {tokensOf && <UserTokensDialog user={tokensOf} onClose={() => setTokensOf(null)} onRevoked={() => setChanges((n) => n + 1)} />}
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title={t('users.deleteTitle', { user: deleting?.username ?? '' })}
        confirmLabel={t('users.deleteConfirm')}
        busy={deleteState.busy}
        onConfirm={() => void remove()}
        error={deleteState.error !== undefined && <ErrorNote error={deleteState.error} />}
      >
        {t('users.deleteBody', { user: deleting?.username ?? '' })}
      </ConfirmDialog>
    </Page>
  );
}

type NewUserField = 'username' | 'password' | 'role';

function NewUserDialog({ open, onOpenChange, onCreated }: { open: boolean; onOpenChange(open: boolean): void; onCreated(): void }) {
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<Role>('operator');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ fields: Partial<Record<NewUserField, string>>; rest?: unknown }>({ fields: {} });
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<User | null>(null);

  const reset = () => {
    setUsername('');
    setRole('operator');
    setPassword('');
    setErrors({ fields: {} });
    setCreated(null);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const fields: Partial<Record<NewUserField, string>> = {};
    if (!USERNAME.test(username)) fields.username = username ? usernameRule() : t('users.usernameRequired');
    if (password.length < MIN_PASSWORD) fields.password = t('pw.tooShortGenerate', { min: MIN_PASSWORD });
    setErrors({ fields });
    if (Object.keys(fields).length) return;
    setBusy(true);
    try {
      const user = await apiRequest<User>('POST', '/users', { username, password, role });
      setCreated(user);
      onCreated();
    } catch (err) {
      setErrors(formErrors<NewUserField>(err, { user_exists: 'username', weak_password: 'password' }, { username: usernameRule() }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        if (!o) reset();
        onOpenChange(o);
      }}
      title={created ? t('users.created', { user: created.username }) : t('users.new')}
      description={created ? undefined : t('users.newDescription')}
    >
      {created ? (
        <div className="space-y-4 text-sm">
          <p>
            {richText(t('users.createdBody', { user: created.username, role: roleLabel(created.role) }), { strong: (text) => <strong>{text}</strong> })}
          </p>
          <CopyBlock id="new-user-password" text={password} label={t('users.initialPassword')} />
          <div className="flex justify-end gap-2">
            <Button onClick={reset}>{t('users.createAnother')}</Button>
            <Button variant="primary" onClick={() => { reset(); onOpenChange(false); }}>{t('users.done')}</Button>
          </div>
        </div>
      ) : (
        <form onSubmit={(e) => void submit(e)} className="space-y-4" aria-label={t('users.new')} noValidate>
          <Field label={t('users.username')} error={errors.fields.username}>
            <input className={INPUT} autoComplete="off" spellCheck={false} value={username} onChange={(e) => setUsername(e.target.value)} />
          </Field>
          <Field label={t('users.role')} error={errors.fields.role} hint={roleSummary(role)}>
            <select className={INPUT} value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {roles.map((r) => <option key={r} value={r}>{roleLabel(r)}</option>)}
            </select>
          </Field>
          <NewPasswordField label={t('users.initialPassword')} value={password} onChange={setPassword} error={errors.fields.password} />
          {errors.rest !== undefined && <ErrorNote error={errors.rest} />}
          <div className="flex justify-end gap-2">
            <Button onClick={() => { reset(); onOpenChange(false); }}>{tc('cancel')}</Button>
            <Button type="submit" variant="primary" disabled={busy}>{busy ? t('users.creating') : t('users.create')}</Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

/** A user's API tokens, for an admin to see what scripts act as them and to revoke any one. */
function UserTokensDialog({ user, onClose, onRevoked }: { user: User; onClose(): void; onRevoked(): void }) {
  const tokens = useApi<{ items: ApiToken[] }>(`/users/${user.id}/tokens`);
  return (
    <Dialog
      open wide
      onOpenChange={(o) => !o && onClose()}
      title={t('users.tokensOf', { user: user.username })}
      description={t('users.tokensDescription', { user: user.username, role: roleLabel(user.role) })}
      footer={<Button variant="primary" onClick={onClose}>{t('users.done')}</Button>}
    >
      {tokens.error && <ErrorNote error={tokens.error} />}
      {tokens.loading ? (
        <Loading what={t('users.theirTokens')} />
      ) : tokens.data && tokens.data.items.length === 0 ? (
        <p className="text-sm text-slate-600">{t('users.noTokens', { user: user.username })}</p>
      ) : tokens.data && (
        <TokenTable
          items={tokens.data.items} whose={user.username} revokePath={(token) => `/users/${user.id}/tokens/${token.id}`}
          onRevoked={async () => {
            await tokens.reload();
            onRevoked();
          }}
        />
      )}
    </Dialog>
  );
}

function ResetPasswordDialog({ user, onClose, onDone }: { user: User; onClose(): void; onDone(): void }) {
  const [password, setPassword] = useState('');
  const [revokeTokens, setRevokeTokens] = useState(true);
  const [error, setError] = useState<{ fields: Partial<Record<'password', string>>; rest?: unknown }>({ fields: {} });
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (password.length < MIN_PASSWORD) {
      setError({ fields: { password: t('pw.tooShortGenerate', { min: MIN_PASSWORD }) } });
      return;
    }
    setBusy(true);
    try {
      await apiRequest('PATCH', `/users/${user.id}`, { password, revokeTokens });
      setDone(true);
      onDone();
    } catch (err) {
      setError(formErrors<'password'>(err, { weak_password: 'password' }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      onOpenChange={(o) => !o && onClose()}
      title={t('users.resetOf', { user: user.username })}
      description={done ? undefined : t('users.resetDescription', { user: user.username })}
    >
      {done ? (
        <div className="space-y-4 text-sm">
          <p>
            {richText(t(revokeTokens ? 'users.resetDoneRevoked' : 'users.resetDone', { user: user.username }), { strong: (text) => <strong>{text}</strong> })}
          </p>
          <div className="flex justify-end"><Button variant="primary" onClick={onClose}>{t('users.done')}</Button></div>
        </div>
      ) : (
        <form onSubmit={(e) => void submit(e)} className="space-y-4" aria-label={t('users.reset')} noValidate>
          <NewPasswordField label={t('pw.new')} value={password} onChange={setPassword} error={error.fields.password} />
          <RevokeTokensChoice checked={revokeTokens} onChange={setRevokeTokens} whose="their" />
          {error.rest !== undefined && <ErrorNote error={error.rest} />}
          <div className="flex justify-end gap-2">
            <Button onClick={onClose}>{tc('cancel')}</Button>
            <Button type="submit" variant="primary" disabled={busy}>{busy ? tc('saving') : t('users.setPassword')}</Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

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
import { MIN_PASSWORD, roles, roleSummaries, USERNAME, USERNAME_RULE, type ApiToken, type Role, type User } from './user-types.ts';

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
      title="Users"
      subtitle="Who may sign in, and with which role."
      actions={<Button variant="primary" onClick={() => setCreating(true)}><i aria-hidden className="fa fa-user-plus" /> New user</Button>}
    >
      {users.error && <ErrorNote error={users.error} />}
      {users.loading ? (
        <Loading what="users" />
      ) : users.data && users.data.items.length === 0 ? (
        <EmptyState title="No users" action={<Button variant="primary" onClick={() => setCreating(true)}>New user</Button>} />
      ) : users.data && (
        <Table label="Users">
          <thead>
            <tr>
              <Th>Username</Th>
              <Th>Role</Th>
              <Th>Status</Th>
              <Th>Created</Th>
              <Th><span className="sr-only">Actions</span></Th>
            </tr>
          </thead>
          <TBody>
            {users.data.items.map((user) => {
              const self = user.username === me.username;
              const row = rows[user.id] ?? {};
              return (
                <tr key={user.id} aria-label={user.username}>
                  <Td className="font-medium">
                    {user.username} {self && <Badge tone="blue">you</Badge>}
                  </Td>
                  <Td>
                    {self ? (
                      <span title="Another admin can change your role">{user.role}</span>
                    ) : (
                      <select
                        aria-label={`Role of ${user.username}`}
                        className={`${INPUT} w-auto py-1`}
                        value={user.role}
                        disabled={row.busy}
                        onChange={(e) => void patch(user, { role: e.target.value as Role })}
                      >
                        {roles.map((r) => <option key={r} value={r}>{r}</option>)}
                      </select>
                    )}
                    {row.error !== undefined && <ErrorNote error={row.error} className="mt-1.5" />}
                  </Td>
                  <Td>{user.disabled ? <Badge tone="amber">disabled</Badge> : <Badge tone="green">active</Badge>}</Td>
                  <Td className="whitespace-nowrap text-slate-600">{formatTime(user.createdAt)}</Td>
                  <Td className="whitespace-nowrap text-right">
                    <span className="inline-flex flex-wrap justify-end gap-1.5">
                      {self ? (
                        // Resetting one's own password here would end this session too; My account keeps it.
                        <Link to="/account" className="px-2 py-1 text-xs text-sky-800 hover:underline">Change your password</Link>
                      ) : (
                        <Button size="sm" aria-label={`Reset the password of ${user.username}`} onClick={() => setResetting(user)}>Reset password</Button>
                      )}
                      <Button size="sm" aria-label={`API tokens of ${user.username}`} onClick={() => setTokensOf(user)}>Tokens</Button>
                      {!self && (
                        <Button size="sm" disabled={row.busy} aria-label={`${user.disabled ? 'Enable' : 'Disable'} ${user.username}`} onClick={() => void patch(user, { disabled: !user.disabled })}>
                          {user.disabled ? 'Enable' : 'Disable'}
                        </Button>
                      )}
                      {!self && (
                        <Button size="sm" variant="danger" aria-label={`Delete ${user.username}`} onClick={() => { setDeleteState({ busy: false }); setDeleting(user); }}>
                          Delete
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
      <dl className="grid gap-x-4 gap-y-1 text-xs text-slate-600 sm:grid-cols-[max-content_1fr]" aria-label="Roles">
        {roles.map((r) => (
          <div key={r} className="contents">
            <dt className="font-medium text-slate-700">{r}</dt>
            <dd>{roleSummaries[r]}</dd>
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
        title={`Delete ${deleting?.username ?? ''}?`}
        confirmLabel="Delete user"
        busy={deleteState.busy}
        onConfirm={() => void remove()}
        error={deleteState.error !== undefined && <ErrorNote error={deleteState.error} />}
      >
        {deleting?.username} can no longer sign in, and their API tokens stop working. This cannot be undone; to keep
        the account for later, disable it instead.
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
    if (!USERNAME.test(username)) fields.username = username ? USERNAME_RULE : 'Give the user a name to sign in with.';
    if (password.length < MIN_PASSWORD) fields.password = `Passwords need at least ${MIN_PASSWORD} characters (Generate makes one).`;
    setErrors({ fields });
    if (Object.keys(fields).length) return;
    setBusy(true);
    try {
      const user = await apiRequest<User>('POST', '/users', { username, password, role });
      setCreated(user);
      onCreated();
    } catch (err) {
      setErrors(formErrors<NewUserField>(err, { user_exists: 'username', weak_password: 'password' }, { username: USERNAME_RULE }));
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
      title={created ? `Created ${created.username}` : 'New user'}
      description={created ? undefined : 'They sign in with this username and password, and can change the password afterwards.'}
    >
      {created ? (
        <div className="space-y-4 text-sm">
          <p>
            <strong>{created.username}</strong> can now sign in as <strong>{created.role}</strong> with the password below.
            Hand it over safely: it is not shown again.
          </p>
          <CopyBlock id="new-user-password" text={password} label="Initial password" />
          <div className="flex justify-end gap-2">
            <Button onClick={reset}>Create another</Button>
            <Button variant="primary" onClick={() => { reset(); onOpenChange(false); }}>Done</Button>
          </div>
        </div>
      ) : (
        <form onSubmit={(e) => void submit(e)} className="space-y-4" aria-label="New user" noValidate>
          <Field label="Username" error={errors.fields.username}>
            <input className={INPUT} autoComplete="off" spellCheck={false} value={username} onChange={(e) => setUsername(e.target.value)} />
          </Field>
          <Field label="Role" error={errors.fields.role} hint={roleSummaries[role]}>
            <select className={INPUT} value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {roles.map((r) => <option key={r} value={r}>{r}</option>)}
            </select>
          </Field>
          <NewPasswordField label="Initial password" value={password} onChange={setPassword} error={errors.fields.password} />
          {errors.rest !== undefined && <ErrorNote error={errors.rest} />}
          <div className="flex justify-end gap-2">
            <Button onClick={() => { reset(); onOpenChange(false); }}>Cancel</Button>
            <Button type="submit" variant="primary" disabled={busy}>{busy ? 'Creating…' : 'Create user'}</Button>
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
      title={`API tokens of ${user.username}`}
      description={`Scripts using these act as ${user.username}, never with more than their role (${user.role}) allows now.`}
      footer={<Button variant="primary" onClick={onClose}>Done</Button>}
    >
      {tokens.error && <ErrorNote error={tokens.error} />}
      {tokens.loading ? (
        <Loading what="their tokens" />
      ) : tokens.data && tokens.data.items.length === 0 ? (
        <p className="text-sm text-slate-600">{user.username} has no API tokens.</p>
      ) : tokens.data && (
        <TokenTable
          items={tokens.data.items} whose={user.username} revokePath={(t) => `/users/${user.id}/tokens/${t.id}`}
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
      setError({ fields: { password: `Passwords need at least ${MIN_PASSWORD} characters (Generate makes one).` } });
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
      title={`Reset the password of ${user.username}`}
      description={done ? undefined : `Sets a new password and signs ${user.username} out everywhere.`}
    >
      {done ? (
        <div className="space-y-4 text-sm">
          <p>
            The password of <strong>{user.username}</strong> is changed and their sessions are ended
            {revokeTokens ? ', and their API tokens revoked' : ''}. Hand the new password over safely.
          </p>
          <div className="flex justify-end"><Button variant="primary" onClick={onClose}>Done</Button></div>
        </div>
      ) : (
        <form onSubmit={(e) => void submit(e)} className="space-y-4" aria-label="Reset password" noValidate>
          <NewPasswordField label="New password" value={password} onChange={setPassword} error={error.fields.password} />
          <RevokeTokensChoice checked={revokeTokens} onChange={setRevokeTokens} whose="their" />
          {error.rest !== undefined && <ErrorNote error={error.rest} />}
          <div className="flex justify-end gap-2">
            <Button onClick={onClose}>Cancel</Button>
            <Button type="submit" variant="primary" disabled={busy}>{busy ? 'Saving…' : 'Set password'}</Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

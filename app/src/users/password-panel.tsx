import { useState, type FormEvent } from 'react';
import { apiRequest } from '../api.ts';
import { Button } from '../ui/button.tsx';
import { ErrorNote } from '../ui/feedback.tsx';
import { Field, INPUT } from '../ui/field.tsx';
import { Panel } from '../ui/page.tsx';
import { formErrors } from './form-errors.ts';
import { RevokeTokensChoice } from './new-password-field.tsx';
import { MIN_PASSWORD } from './user-types.ts';
import { t } from './users.messages.ts';

type PasswordField = 'currentPassword' | 'newPassword' | 'confirm';

/** Change my password: the current one, the new one twice. The API ends my other sessions; this one stays. */
export function PasswordPanel() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [revokeTokens, setRevokeTokens] = useState(true);
  const [errors, setErrors] = useState<{ fields: Partial<Record<PasswordField, string>>; rest?: unknown }>({ fields: {} });
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [revokedTokens, setRevokedTokens] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    const fields: Partial<Record<PasswordField, string>> = {};
    if (!current) fields.currentPassword = t('pw.currentRequired');
    if (next.length < MIN_PASSWORD) fields.newPassword = t('pw.tooShort', { min: MIN_PASSWORD });
    else if (next === current) fields.newPassword = t('pw.same');
    if (confirm !== next) fields.confirm = t('pw.mismatch');
    setErrors({ fields });
    if (Object.keys(fields).length) return;
    setBusy(true);
    try {
      await apiRequest('POST', '/auth/password', { currentPassword: current, newPassword: next, revokeTokens });
      setCurrent('');
      setNext('');
      setConfirm('');
      setDone(true);
      setRevokedTokens(revokeTokens);
    } catch (err) {
      setErrors(formErrors<PasswordField>(err, { wrong_password: 'currentPassword', weak_password: 'newPassword' }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Panel title={t('pw.title')}>
      <form onSubmit={(e) => void submit(e)} className="space-y-4" aria-label={t('pw.title')} noValidate>
        {/* Lets password managers tie the new password to the account. */}
        <input type="text" name="username" autoComplete="username" hidden readOnly />
        <Field label={t('pw.current')} error={errors.fields.currentPassword}>
          <input className={INPUT} type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />
        </Field>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label={t('pw.new')} hint={t('pw.newHint', { min: MIN_PASSWORD })} error={errors.fields.newPassword}>
            <input className={INPUT} type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />
          </Field>
          <Field label={t('pw.confirm')} error={errors.fields.confirm}>
            <input className={INPUT} type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} />
          </Field>
        </div>
        <RevokeTokensChoice checked={revokeTokens} onChange={setRevokeTokens} whose="my" />
        {errors.rest !== undefined && <ErrorNote error={errors.rest} />}
        <div className="flex flex-wrap items-center justify-between gap-3">
          <p className="text-xs text-slate-500">{t('pw.signsOut')}</p>
          <Button type="submit" variant="primary" disabled={busy}>{busy ? t('pw.changing') : t('pw.title')}</Button>
        </div>
        {done && (
          <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
            <i aria-hidden className="fa fa-check" /> {revokedTokens ? t('pw.changedRevoked') : t('pw.changed')}
          </p>
        )}
      </form>
    </Panel>
  );
}

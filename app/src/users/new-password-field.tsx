import { CopyButton } from '../ui/copy-button.tsx';
import { Button } from '../ui/button.tsx';
import { Field, INPUT } from '../ui/field.tsx';
import { generatePassword } from './form-errors.ts';
import { MIN_PASSWORD } from './user-types.ts';
import { t } from './users.messages.ts';

/**
 * Whether a password change also revokes the API tokens (on by default: a password that leaked may have been used to
 * make tokens, and a token outlives the password otherwise).
 */
export function RevokeTokensChoice({ checked, onChange, whose }: { checked: boolean; onChange(checked: boolean): void; whose: 'my' | 'their' }) {
  return (
    <label className="flex items-start gap-2 text-sm text-slate-700">
      <input type="checkbox" className="mt-0.5 h-4 w-4 accent-sky-700" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <span>
        {whose === 'my' ? t('pw.revokeMine') : t('pw.revokeTheirs')}
        <span className="block text-xs text-slate-500">{t('pw.revokeHint')}</span>
      </span>
    </label>
  );
}

/**
 * A password an admin sets for someone else: shown in clear (it has to be handed over), with a button that fills in
 * a strong one and another that copies it.
 */
export function NewPasswordField({ label, value, onChange, error }: { label: string; value: string; onChange(value: string): void; error?: string }) {
  return (
    <div className="flex items-start gap-2">
      <Field
        label={label}
        className="min-w-0 flex-1"
        error={error}
        hint={t('pw.handOverHint', { min: MIN_PASSWORD })}
      >
        <input className={`${INPUT} font-mono`} type="text" autoComplete="new-password" spellCheck={false} value={value} onChange={(e) => onChange(e.target.value)} />
      </Field>
      <div className="mt-7 flex shrink-0 gap-1.5">
        <Button size="sm" onClick={() => onChange(generatePassword())}><i aria-hidden className="fa fa-random" /> {t('pw.generate')}</Button>
        {value && <CopyButton text={value} />}
      </div>
    </div>
  );
}

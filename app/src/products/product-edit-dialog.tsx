/** Changes a product's name, description, dialect, telemetry retention, device clock handling and how its devices sign in. */
import { useState, type FormEvent } from 'react';
import { apiRequest } from '../api.ts';
import { Button } from '../ui/button.tsx';
import { Dialog } from '../ui/dialog.tsx';
import { ErrorNote } from '../ui/feedback.tsx';
import { Field, INPUT } from '../ui/field.tsx';
import { tc } from '../i18n/common.messages.ts';
import { richText } from '../i18n/rich.tsx';
import { allPlaced, DIALECTS, fieldErrors, FUTURE_TIMES, productPath, SIGN_METHODS, type Dialect, type FutureTimes, type Product, type SignMethod } from './product-api.ts';
import { t } from './products.messages.ts';

const FIELDS = {
  name: ['/name'], description: ['/description'], dialect: ['/dialect'], retentionDays: ['/retentionDays'], futureTimes: ['/futureTimes'],
  signMethods: ['/auth/signMethods'], timestampWindowSeconds: ['/auth/timestampWindowSeconds'],
  requireTimestamp: ['/auth/requireTimestamp'], dynamicRegistration: ['/auth/dynamicRegistration'],
} as const;

export function ProductEditDialog({ product, onClose, onSaved }: { product: Product; onClose(): void; onSaved(product: Product): void }) {
  const [name, setName] = useState(product.name);
  const [description, setDescription] = useState(product.description);
  const [dialect, setDialect] = useState<Dialect>(product.dialect);
  const [retention, setRetention] = useState(product.retentionDays === null ? '' : String(product.retentionDays));
  const [futureTimes, setFutureTimes] = useState<FutureTimes>(product.futureTimes);
  const [signMethods, setSignMethods] = useState<SignMethod[]>(product.auth.signMethods);
  const [timestampWindow, setTimestampWindow] = useState(String(product.auth.timestampWindowSeconds));
  const [requireTimestamp, setRequireTimestamp] = useState(product.auth.requireTimestamp);
  const [dynamicRegistration, setDynamicRegistration] = useState(product.auth.dynamicRegistration);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<Record<string, string>>({});

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (name.trim() === '') problems.name = t('problem.name');
    if (retention.trim() !== '' && !/^\d+$/.test(retention.trim())) problems.retentionDays = t('edit.problem.retention');
    if (!/^\d+$/.test(timestampWindow.trim())) problems.timestampWindowSeconds = t('edit.problem.window');
    if (signMethods.length === 0) problems.signMethods = t('edit.problem.signMethods');
    setLocal(problems);
    if (Object.keys(problems).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      const saved = await apiRequest<Product>('PATCH', productPath(product.productKey), {
        name: name.trim(), description, dialect,
        retentionDays: retention.trim() === '' ? null : Number(retention),
        futureTimes,
        auth: { signMethods, timestampWindowSeconds: Number(timestampWindow), requireTimestamp, dynamicRegistration },
      });
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const apiErrors = fieldErrors(error, FIELDS);
  const errorFor = (field: keyof typeof FIELDS) => local[field] ?? apiErrors[field];

  return (
    <Dialog
      open wide onOpenChange={(o) => !o && onClose()} title={t('edit.title', { name: product.name })}
      description={richText(t('edit.description', { key: product.productKey }), { code: (key) => <code className="font-mono">{key}</code> })}
      footer={
        <>
          <Button onClick={onClose}>{tc('cancel')}</Button>
          <Button variant="primary" type="submit" form="edit-product-form" disabled={busy}>{busy ? tc('saving') : tc('save')}</Button>
        </>
      }
    >
      <form id="edit-product-form" onSubmit={submit} noValidate aria-label={t('edit.form')} className="-mx-1 grid max-h-[62vh] gap-4 overflow-y-auto px-1 pb-1 md:grid-cols-2">
        <div className="space-y-4">
          <Field label={t('field.name')} error={errorFor('name')}>
            <input className={INPUT} value={name} onChange={(e) => setName(e.target.value)} maxLength={100} />
          </Field>
          <Field label={t('field.description')} error={errorFor('description')}>
            <textarea className={INPUT} rows={3} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={2000} />
          </Field>
          <Field label={t('field.dialect')} error={errorFor('dialect')}>
            <select className={INPUT} value={dialect} onChange={(e) => setDialect(e.target.value as Dialect)}>
              {DIALECTS.map((d) => <option key={d.value} value={d.value}>{d.label()}</option>)}
            </select>
          </Field>
          <Field label={t('edit.retention')} error={errorFor('retentionDays')} hint={t('edit.retentionHint')}>
            <input className={INPUT} value={retention} onChange={(e) => setRetention(e.target.value)} inputMode="numeric" placeholder={t('edit.forever')} />
          </Field>
          <Field label={t('field.deviceClockAhead')} error={errorFor('futureTimes')} hint={t('edit.clockHint')}>
            <select className={INPUT} value={futureTimes} onChange={(e) => setFutureTimes(e.target.value as FutureTimes)}>
              {FUTURE_TIMES.map((f) => <option key={f.value} value={f.value}>{f.label()}</option>)}
            </select>
          </Field>
        </div>
        <fieldset className="space-y-4 rounded-md border border-slate-200 bg-slate-50 p-3">
          <legend className="px-1 text-sm font-medium text-slate-700">{t('field.deviceSignIn')}</legend>
          <div role="group" aria-label={t('edit.signMethods')} className="text-sm">
            <p className="mb-1 font-medium text-slate-700">{t('edit.signMethods')}</p>
            {SIGN_METHODS.map((m) => (
              <label key={m.value} className="flex items-center gap-2 py-0.5 text-slate-700">
                <input
                  type="checkbox" checked={signMethods.includes(m.value)}
                  onChange={(e) => setSignMethods((list) => (e.target.checked ? [...list, m.value] : list.filter((x) => x !== m.value)))}
                />
                {m.label()}
              </label>
            ))}
            {errorFor('signMethods') && <p className="mt-1 text-xs text-red-700">{errorFor('signMethods')}</p>}
          </div>
          <Field label={t('edit.window')} error={errorFor('timestampWindowSeconds')} hint={t('edit.windowHint')}>
            <input className={INPUT} value={timestampWindow} onChange={(e) => setTimestampWindow(e.target.value)} inputMode="numeric" />
          </Field>
          <label className="flex items-start gap-2 text-sm text-slate-700">
            <input type="checkbox" className="mt-0.5" checked={requireTimestamp} onChange={(e) => setRequireTimestamp(e.target.checked)} />
            <span>{t('edit.requireTimestamp')}</span>
          </label>
          <label className="flex items-start gap-2 text-sm text-slate-700">
            <input type="checkbox" className="mt-0.5" checked={dynamicRegistration} onChange={(e) => setDynamicRegistration(e.target.checked)} />
            <span>{t('edit.dynamicRegistration')}</span>
          </label>
        </fieldset>
        {error && !allPlaced(error, FIELDS) ? <ErrorNote error={error} className="md:col-span-2" /> : null}
      </form>
    </Dialog>
  );
}

import { useState } from 'react';
import { ApiError, apiRequest } from '../api.ts';
import { Link, pathOf } from '../routing.ts';
import { useCan } from '../session.ts';
import { Button } from '../ui/button.tsx';
import { CopyBlock } from '../ui/copy-button.tsx';
import { Dialog } from '../ui/dialog.tsx';
import { ErrorNote } from '../ui/feedback.tsx';
import { Field, INPUT } from '../ui/field.tsx';
import { tc } from '../i18n/common.messages.ts';
import { richText } from '../i18n/rich.tsx';
import { problemText, type CreatedDevice, type FieldProblem, type ProductSummary } from './device-list-api.ts';
import { TagEditor, useTaggedForm } from './device-create-tags.tsx';
import { t } from './devices.messages.ts';

type FormField = 'productKey' | 'deviceName' | 'description' | 'tags';

/** The API's refusal split over the fields it names; what names no field stays with the whole form. */
export function fieldErrors(err: unknown): { fields: Partial<Record<FormField, string>>; rest: unknown } {
  if (!(err instanceof ApiError)) return { fields: {}, rest: err };
  if (err.code === 'device_exists') return { fields: { deviceName: err.message }, rest: undefined };
  if (err.status === 404) return { fields: { productKey: err.message }, rest: undefined };
  if (err.code !== 'validation_failed' || !Array.isArray(err.details)) return { fields: {}, rest: err };
  const fields: Partial<Record<FormField, string>> = {};
  const unplaced: FieldProblem[] = [];
  for (const problem of err.details as FieldProblem[]) {
    const [field, ...below] = String(problem.path ?? '').split('/').filter(Boolean);
    if (field === 'productKey' || field === 'deviceName' || field === 'description' || field === 'tags') {
      const text = below.length > 0 ? `${below.join('.')}: ${problem.message}` : problemText(field, problem.message);
      fields[field] = fields[field] ? `${fields[field]}; ${text}` : text;
    } else unplaced.push(problem);
  }
  return { fields, rest: unplaced.length > 0 ? new ApiError(err.status, err.code, err.message, unplaced) : undefined };
}

/**
 * "Add device": product, name (or a generated one), description and tags; on success the device secret, shown this
 * once, with what to do with it.
 */
export function AddDeviceDialog({ open, onOpenChange, products, defaultProductKey, onCreated }: {
  open: boolean;
  onOpenChange(open: boolean): void;
  products: readonly ProductSummary[];
  defaultProductKey?: string;
  onCreated(device: CreatedDevice): void;
}) {
  const initialProduct = () => (defaultProductKey && products.some((p) => p.productKey === defaultProductKey) ? defaultProductKey : products[0]?.productKey ?? '');
  const [productKey, setProductKey] = useState(initialProduct);
  const [deviceName, setDeviceName] = useState('');
  const [description, setDescription] = useState('');
  const [created, setCreated] = useState<CreatedDevice>();
  const { tags, setTags, busy, error, tagProblem, submit, reset: resetTags } = useTaggedForm(() => [], async (tags) => {
    const body = {
      productKey,
      ...(deviceName.trim() ? { deviceName: deviceName.trim() } : {}),
      ...(description.trim() ? { description: description.trim() } : {}),
      ...(Object.keys(tags).length > 0 ? { tags } : {}),
    };
    const device = await apiRequest<CreatedDevice>('POST', '/devices', body);
    setCreated(device);
    onCreated(device);
  });

  const reset = () => {
    setProductKey(initialProduct());
    setDeviceName('');
    setDescription('');
    resetTags();
    setCreated(undefined);
  };

  const changeOpen = (next: boolean) => {
    if (next) reset();
    onOpenChange(next);
  };

  if (created) {
    return (
      <Dialog
        open={open}
        onOpenChange={changeOpen}
        title={t('add.created')}
        description={richText(t('add.createdDescription', { deviceName: created.deviceName, productKey: created.productKey }), {
          name: (text) => <strong className="font-mono">{text}</strong>,
          key: (text) => <span className="font-mono">{text}</span>,
        })}
        footer={
          <>
            <Button onClick={reset}>{t('add.another')}</Button>
            <Button variant="primary" onClick={() => changeOpen(false)}>{t('add.done')}</Button>
          </>
        }
      >
        <SecretOnce device={created} />
      </Dialog>
    );
  }

  const { fields, rest } = fieldErrors(error);
  return (
    <Dialog
      open={open}
      onOpenChange={changeOpen}
      title={t('list.add')}
      description={t('add.description')}
    >
      <form aria-label={t('list.add')} className="space-y-4" onSubmit={(e) => void submit(e)} noValidate>
        <Field label={t('field.product')} error={fields.productKey}>
          <select className={INPUT} value={productKey} onChange={(e) => setProductKey(e.target.value)} required>
            {products.map((p) => (
              <option key={p.productKey} value={p.productKey}>{p.name} ({p.productKey})</option>
            ))}
          </select>
        </Field>
        <Field label={t('field.deviceName')} hint={t('field.deviceNameHint')} error={fields.deviceName}>
          <input
            className={`${INPUT} font-mono`}
            value={deviceName}
            onChange={(e) => setDeviceName(e.target.value)}
            placeholder={t('field.deviceNamePlaceholder')}
            autoComplete="off"
            spellCheck={false}
            autoFocus
          />
        </Field>
        <Field label={t('field.description')} error={fields.description}>
          <textarea className={INPUT} rows={2} value={description} onChange={(e) => setDescription(e.target.value)} placeholder={t('field.descriptionPlaceholder')} />
        </Field>
        <TagEditor rows={tags} onChange={setTags} error={tagProblem ?? fields.tags} />
        <ErrorNote error={rest} />
        <div className="flex justify-end gap-2 pt-1">
          <Button onClick={() => changeOpen(false)}>{tc('cancel')}</Button>
          <Button type="submit" variant="primary" disabled={busy || !productKey}>{busy ? t('add.adding') : t('list.add')}</Button>
        </div>
      </form>
    </Dialog>
  );
}

/** The secret of a device just created, with the warning that this is the only time it is shown. */
function SecretOnce({ device }: { device: CreatedDevice }) {
  const canReveal = useCan('devices:secret');
  return (
    <div className="space-y-3">
      <div role="note" className="flex gap-2 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
        <i className="fa fa-exclamation-triangle mt-0.5" aria-hidden />
        <p>
          {richText(t(canReveal ? 'secret.onceAdmin' : 'secret.onceOther'), { b: (text) => <strong>{text}</strong> })}
        </p>
      </div>
      <div>
        <p className="mb-1 text-sm font-medium text-slate-700">{t('field.deviceSecret')}</p>
        <CopyBlock id="created-device-secret" label={t('field.deviceSecret')} text={device.deviceSecret} />
      </div>
      <p className="text-sm">
        {richText(t('secret.openPage'), {
          link: (text) => (
            <Link to={pathOf('devices', device.productKey, device.deviceName)} className="text-sky-700 underline hover:text-sky-900">{text}</Link>
          ),
          rest: (text) => <span className="text-slate-600">{text}</span>,
        })}
      </p>
    </div>
  );
}

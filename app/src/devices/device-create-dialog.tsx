import { useState } from 'react';
import { ApiError, apiRequest } from '../api.ts';
import { Link, pathOf } from '../routing.ts';
import { useCan } from '../session.ts';
import { Button } from '../ui/button.tsx';
import { CopyBlock } from '../ui/copy-button.tsx';
import { Dialog } from '../ui/dialog.tsx';
import { ErrorNote } from '../ui/feedback.tsx';
import { Field, INPUT } from '../ui/field.tsx';
import { DEVICE_NAME_HINT, problemText, type CreatedDevice, type FieldProblem, type ProductSummary } from './device-list-api.ts';
import { TagEditor, useTaggedForm } from './device-create-tags.tsx';

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
        title="Device created"
        description={<>Device <strong className="font-mono">{created.deviceName}</strong> of product <span className="font-mono">{created.productKey}</span> is ready to connect.</>}
        footer={
          <>
            <Button onClick={reset}>Add another</Button>
            <Button variant="primary" onClick={() => changeOpen(false)}>Done</Button>
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
      title="Add device"
      description="The device signs in with its product key, its name and the secret shown after you add it."
    >
      <form aria-label="Add device" className="space-y-4" onSubmit={(e) => void submit(e)} noValidate>
        <Field label="Product" error={fields.productKey}>
          <select className={INPUT} value={productKey} onChange={(e) => setProductKey(e.target.value)} required>
            {products.map((p) => (
              <option key={p.productKey} value={p.productKey}>{p.name} ({p.productKey})</option>
            ))}
          </select>
        </Field>
        <Field label="Device name" hint={DEVICE_NAME_HINT} error={fields.deviceName}>
          <input
            className={`${INPUT} font-mono`}
            value={deviceName}
            onChange={(e) => setDeviceName(e.target.value)}
            placeholder="e.g. room-101"
            autoComplete="off"
            spellCheck={false}
            autoFocus
          />
        </Field>
        <Field label="Description" error={fields.description}>
          <textarea className={INPUT} rows={2} value={description} onChange={(e) => setDescription(e.target.value)} placeholder="Where it is, what it measures" />
        </Field>
        <TagEditor rows={tags} onChange={setTags} error={tagProblem ?? fields.tags} />
        <ErrorNote error={rest} />
        <div className="flex justify-end gap-2 pt-1">
          <Button onClick={() => changeOpen(false)}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy || !productKey}>{busy ? 'Adding…' : 'Add device'}</Button>
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
          <strong>Copy the device secret now: it is shown only this once.</strong>{' '}
          {canReveal
            ? 'As an admin you can reveal it again on the device page (the reveal is audited).'
            : 'Later only an admin can reveal it, on the device page.'}
        </p>
      </div>
      <div>
        <p className="mb-1 text-sm font-medium text-slate-700">Device secret</p>
        <CopyBlock id="created-device-secret" label="Device secret" text={device.deviceSecret} />
      </div>
      <p className="text-sm">
        <Link to={pathOf('devices', device.productKey, device.deviceName)} className="text-sky-700 underline hover:text-sky-900">
          Open the device page
        </Link>{' '}
        <span className="text-slate-600">to see it connect and to send it commands.</span>
      </p>
    </div>
  );
}

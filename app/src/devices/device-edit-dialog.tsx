import { useState } from 'react';
import { apiRequest } from '../api.ts';
import { Button } from '../ui/button.tsx';
import { Dialog } from '../ui/dialog.tsx';
import { ErrorNote } from '../ui/feedback.tsx';
import { Field, INPUT } from '../ui/field.tsx';
import { tc } from '../i18n/common.messages.ts';
import { devicePath, type Device } from './device-detail-api.ts';
import { fieldErrors } from './device-create-dialog.tsx';
import { TagEditor, useTaggedForm, type TagRow } from './device-create-tags.tsx';
import { t } from './devices.messages.ts';

const rowsOf = (tags: Readonly<Record<string, string>>): TagRow[] => Object.entries(tags).map(([key, value]) => ({ key, value }));

/**
 * "Edit device": its description and tags (the whole set replaced), as the API's PATCH takes them; the change is
 * audited under the signed-in user. The API's refusals show at their fields.
 */
export function EditDeviceDialog({ device, open, onOpenChange, onSaved }: {
  device: Device;
  open: boolean;
  onOpenChange(open: boolean): void;
  onSaved(): void;
}) {
  const [description, setDescription] = useState(device.description ?? '');
  const { tags, setTags, busy, error, tagProblem, submit, reset } = useTaggedForm(() => rowsOf(device.tags), async (tags) => {
    await apiRequest('PATCH', devicePath(device.productKey, device.deviceName), { description: description.trim(), tags });
    onSaved();
    onOpenChange(false);
  });

  const changeOpen = (next: boolean) => {
    // Opened again: the device as it is now, not the last attempt's text.
    if (next) {
      setDescription(device.description ?? '');
      reset();
    }
    onOpenChange(next);
  };

  const { fields, rest } = fieldErrors(error);
  return (
    <Dialog open={open} onOpenChange={changeOpen} title={t('edit.title', { name: device.deviceName })} description={t('edit.description')}>
      <form aria-label={t('edit.form')} className="space-y-4" onSubmit={(e) => void submit(e)} noValidate>
        <Field label={t('field.description')} error={fields.description}>
          <textarea className={INPUT} rows={3} value={description} onChange={(e) => setDescription(e.target.value)} placeholder={t('field.descriptionPlaceholder')} autoFocus />
        </Field>
        <TagEditor rows={tags} onChange={setTags} error={tagProblem ?? fields.tags} />
        <ErrorNote error={rest} />
        <div className="flex justify-end gap-2 pt-1">
          <Button onClick={() => changeOpen(false)}>{tc('cancel')}</Button>
          <Button type="submit" variant="primary" disabled={busy}>{busy ? tc('saving') : tc('save')}</Button>
        </div>
      </form>
    </Dialog>
  );
}

/**
 * "Edit firmware": what may change after upload (release notes, the source versions it installs over, extData),
 * prefilled with the stored values and checked as the upload checks them. The image and its version never change.
 */
import { useId, useState, type FormEvent } from 'react';
import { tc } from '../i18n/common.messages.ts';
import { richText } from '../i18n/rich.tsx';
import { Button } from '../ui/button.tsx';
import { Dialog } from '../ui/dialog.tsx';
import { ErrorNote } from '../ui/feedback.tsx';
import { Field, INPUT } from '../ui/field.tsx';
import { firmwareMetaForm, firmwarePatch, patchErrors, versionProblem, type FirmwareMeta, type FirmwareMetaField } from './firmware-form.ts';
import { FirmwareConstraintFields } from './firmware-meta-fields.tsx';
import { patchFirmware, type Firmware } from './ota-api.ts';
import { t } from './ota.messages.ts';

/** Empty fields say what empty means here, not an example that could be taken for a stored value. */
const emptyMeans = () => ({ minVersion: t('edit.noLower'), maxVersion: t('edit.noUpper'), fromVersions: t('edit.anyOlder'), extData: t('edit.none') });

const EMPTY: FirmwareMeta = { releaseNotes: '', minVersion: '', maxVersion: '', fromVersions: '', extData: '' };

/** Open while `firmware` is set; `onSaved` gets the firmware as the API answered it. */
export function FirmwareEditDialog({ firmware, onClose, onSaved }: {
  firmware: Firmware | undefined;
  onClose(): void;
  onSaved(firmware: Firmware): void;
}) {
  const [form, setForm] = useState<FirmwareMeta>(() => (firmware ? firmwareMetaForm(firmware) : EMPTY));
  const formId = useId();
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  // Each opening (or another row's) starts from that firmware's stored values.
  const [openedFor, setOpenedFor] = useState(firmware);
  if (firmware !== openedFor) {
    setOpenedFor(firmware);
    if (firmware) {
      setForm(firmwareMetaForm(firmware));
      setTried(false);
      setBusy(false);
      setError(undefined);
    }
  }

  const set = (change: Partial<FirmwareMeta>) => {
    setForm((f) => ({ ...f, ...change }));
    setError(undefined);
  };

  const checked = firmware ? firmwarePatch(firmware, form) : undefined;
  const local = checked && 'errors' in checked ? checked.errors : {};
  const server = patchErrors(error);
  // Before the first try only a version typed wrong is said (as it is typed); after it, every problem.
  const shown = (field: FirmwareMetaField): string | undefined => {
    if (server.fields[field]) return server.fields[field];
    if (tried) return local[field];
    if ((field === 'minVersion' || field === 'maxVersion') && form[field].trim()) return versionProblem(form[field].trim());
    return undefined;
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (!firmware || !checked || !('patch' in checked)) return;
    // Nothing changed: nothing to send.
    if (Object.keys(checked.patch).length === 0) {
      onClose();
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      onSaved(await patchFirmware(firmware.id, checked.patch));
      onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const title = firmware ? t('edit.title', { module: firmware.module, version: firmware.version }) : t('edit.titlePlain');
  return (
    <Dialog
      open={firmware !== undefined}
      onOpenChange={(open) => !open && onClose()}
      wide
      title={title}
      description={firmware && richText(t('edit.description'), { pk: () => <span className="font-mono">{firmware.productKey}</span> })}
    >
      <form aria-label={title} className="space-y-4" onSubmit={(e) => void submit(e)} noValidate>
        <fieldset disabled={busy} className="space-y-4">
          <Field label={t('label.releaseNotes')} error={shown('releaseNotes')}>
            <textarea className={INPUT} rows={3} value={form.releaseNotes} placeholder={t('label.notesPlaceholder')} onChange={(e) => set({ releaseNotes: e.target.value })} />
          </Field>
          <section aria-labelledby={`${formId}-sources`} className="space-y-3 rounded-md border border-slate-200 px-3 py-3">
            <div>
              <h3 id={`${formId}-sources`} className="text-sm font-semibold text-slate-800">{t('label.sourcesTitle')}</h3>
              <p className="mt-0.5 text-xs text-slate-500">
                {firmware ? t('label.sourcesOlderThan', { version: firmware.version }) : t('label.sourcesOlderThanThis')}
              </p>
            </div>
            <FirmwareConstraintFields form={form} set={set} shown={shown} placeholders={emptyMeans()} />
          </section>
        </fieldset>
        <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-xs text-amber-900" data-testid="edit-applies">
          <i aria-hidden className="fa fa-info-circle mr-1" />
          {t('edit.applies')}
        </p>
        <ErrorNote error={server.rest} />
        <div className="flex justify-end gap-2 pt-1">
          <Button onClick={onClose}>{tc('cancel')}</Button>
          <Button type="submit" variant="primary" disabled={busy}>{busy ? tc('saving') : t('edit.save')}</Button>
        </div>
      </form>
    </Dialog>
  );
}

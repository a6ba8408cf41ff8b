/**
 * "Edit firmware": what may change after upload (release notes, the source versions it installs over, extData),
 * prefilled with the stored values and checked as the upload checks them. The image and its version never change.
 */
import { useId, useState, type FormEvent } from 'react';
import { Button } from '../ui/button.tsx';
import { Dialog } from '../ui/dialog.tsx';
import { ErrorNote } from '../ui/feedback.tsx';
import { Field, INPUT } from '../ui/field.tsx';
import { firmwareMetaForm, firmwarePatch, patchErrors, versionProblem, type FirmwareMeta, type FirmwareMetaField } from './firmware-form.ts';
import { FirmwareConstraintFields } from './firmware-meta-fields.tsx';
import { patchFirmware, type Firmware } from './ota-api.ts';

/** Empty fields say what empty means here, not an example that could be taken for a stored value. */
const EMPTY_MEANS = { minVersion: 'No lower limit', maxVersion: 'No upper limit', fromVersions: 'Any older version', extData: 'None' };

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

  const title = firmware ? `Edit ${firmware.module} ${firmware.version}` : 'Edit firmware';
  return (
    <Dialog
      open={firmware !== undefined}
      onOpenChange={(open) => !open && onClose()}
      wide
      title={title}
      description={firmware && (
        <>
          Firmware of product <span className="font-mono">{firmware.productKey}</span>. Its image and version never change: upload a
          new version for that.
        </>
      )}
    >
      <form aria-label={title} className="space-y-4" onSubmit={(e) => void submit(e)} noValidate>
        <fieldset disabled={busy} className="space-y-4">
          <Field label="Release notes" error={shown('releaseNotes')}>
            <textarea className={INPUT} rows={3} value={form.releaseNotes} placeholder="What changed, for whoever rolls it out" onChange={(e) => set({ releaseNotes: e.target.value })} />
          </Field>
          <section aria-labelledby={`${formId}-sources`} className="space-y-3 rounded-md border border-slate-200 px-3 py-3">
            <div>
              <h3 id={`${formId}-sources`} className="text-sm font-semibold text-slate-800">Source versions and extra data</h3>
              <p className="mt-0.5 text-xs text-slate-500">
                Only devices older than {firmware?.version ?? 'this version'} take it; these narrow it further, e.g. for a delta image.
              </p>
            </div>
            <FirmwareConstraintFields form={form} set={set} shown={shown} placeholders={EMPTY_MEANS} />
          </section>
        </fieldset>
        <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-xs text-amber-900" data-testid="edit-applies">
          <i aria-hidden className="fa fa-info-circle mr-1" />
          Changes apply from now on: campaigns started later use the new source versions (a running campaign chose its
          devices when it was created), and every push sent from now on carries the new extra data.
        </p>
        <ErrorNote error={server.rest} />
        <div className="flex justify-end gap-2 pt-1">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy}>{busy ? 'Saving…' : 'Save changes'}</Button>
        </div>
      </form>
    </Dialog>
  );
}

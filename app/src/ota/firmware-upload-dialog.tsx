/**
 * "Upload firmware": product, module, version (checked as typed), notes, the versions it installs over, extData and
 * the image; the bytes go up with a progress bar, and the stored image's hashes are shown at the end so they can be
 * compared with the build's.
 */
import { useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { versionCode } from '../../../domain/ota/ota-version.ts';
import type { Upload, UploadProgress } from '../api.ts';
import { tc } from '../i18n/common.messages.ts';
import { richText } from '../i18n/rich.tsx';
import { Link } from '../routing.ts';
import { Button } from '../ui/button.tsx';
import { CopyBlock } from '../ui/copy-button.tsx';
import { Dialog } from '../ui/dialog.tsx';
import { ErrorNote } from '../ui/feedback.tsx';
import { Field, INPUT } from '../ui/field.tsx';
import { Facts } from '../ui/page.tsx';
import { queryString, useApi } from '../use-api.ts';
import {
  EMPTY_FIRMWARE_FORM, firmwareUpload, uploadErrors, versionHint, versionProblem, type FirmwareField, type FirmwareForm,
} from './firmware-form.ts';
import type { ProductChoice } from './firmware-list.tsx';
import { FirmwareConstraintFields } from './firmware-meta-fields.tsx';
import { ProgressBar } from './ota-badges.tsx';
import { newCampaignHref, uploadFirmware, type Firmware, type FirmwarePage } from './ota-api.ts';
import { formatBytes } from './ota-format.ts';
import { t } from './ota.messages.ts';

/** Names of hash algorithms, as they are written everywhere. */
const SHA256_LABEL = 'SHA-256';
const MD5_LABEL = 'MD5';

type Phase = { at: 'form' } | { at: 'uploading'; progress: UploadProgress } | { at: 'done'; firmware: Firmware };

export function FirmwareUploadDialog({ open, onOpenChange, products, defaultProductKey, defaultModule, onUploaded }: {
  open: boolean;
  onOpenChange(open: boolean): void;
  products: readonly ProductChoice[];
  defaultProductKey?: string;
  defaultModule?: string;
  onUploaded(firmware: Firmware): void;
}) {
  const initial = (): FirmwareForm => ({
    ...EMPTY_FIRMWARE_FORM,
    productKey: defaultProductKey && products.some((p) => p.productKey === defaultProductKey) ? defaultProductKey : products[0]?.productKey ?? '',
    module: defaultModule ?? EMPTY_FIRMWARE_FORM.module,
  });
  const [formState, setForm] = useState<FirmwareForm>(initial);
  const [file, setFile] = useState<File>();
  const [tried, setTried] = useState(false);
  const [phase, setPhase] = useState<Phase>({ at: 'form' });
  const [error, setError] = useState<unknown>();
  const upload = useRef<Upload<Firmware> | undefined>(undefined);
  const fileInputId = useId();
  const [moreOpened, setMoreOpen] = useState(false);
  // Each opening starts afresh (the page opens the dialog by its prop, which calls no onOpenChange).
  const [openedAs, setOpenedAs] = useState(open);
  if (open !== openedAs) {
    setOpenedAs(open);
    if (open) {
      setForm(initial());
      setFile(undefined);
      setTried(false);
      setPhase({ at: 'form' });
      setError(undefined);
      setMoreOpen(false);
    }
  }
  // The products may arrive after the form was set up: the first one is chosen until the user picks one.
  const form = { ...formState, productKey: formState.productKey || products[0]?.productKey || '' };

  // The product's images, for the module suggestions and "newest so far".
  const existing = useApi<FirmwarePage>(open && form.productKey ? `/firmware${queryString({ productKey: form.productKey, limit: 100 })}` : null);
  const modules = useMemo(() => [...new Set((existing.data?.items ?? []).map((f) => f.module))].sort(), [existing.data]);
  const newest = (existing.data?.items ?? [])
    .filter((f) => f.module === (form.module.trim() || 'default'))
    .reduce<Firmware | undefined>((best, f) => (!best || f.versionCode > best.versionCode ? f : best), undefined);

  const set = (change: Partial<FirmwareForm>) => {
    setForm((f) => ({ ...f, ...change }));
    setError(undefined);
  };

  const reset = () => {
    setForm(initial());
    setFile(undefined);
    setTried(false);
    setPhase({ at: 'form' });
    setError(undefined);
  };

  const changeOpen = (next: boolean) => {
    // Closing stops an upload under way rather than leave it running unseen.
    if (!next) upload.current?.abort();
    onOpenChange(next);
  };

  const checked = firmwareUpload(form);
  const local = 'errors' in checked ? checked.errors : {};
  const server = uploadErrors(error);
  // Before the first try only a version typed wrong is said (as it is typed); after it, every problem.
  const shown = (field: FirmwareField): string | undefined => {
    if (server.fields[field]) return server.fields[field];
    if (tried) return local[field];
    if (field === 'version' && form.version.trim()) return versionProblem(form.version.trim());
    return undefined;
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (!('query' in checked) || !file) return;
    setError(undefined);
    setPhase({ at: 'uploading', progress: { loaded: 0, total: file.size } });
    const started = uploadFirmware(checked.query, file, (progress) => setPhase((p) => (p.at === 'uploading' ? { at: 'uploading', progress } : p)));
    upload.current = started;
    try {
      const firmware = await started.done;
      setPhase({ at: 'done', firmware });
      onUploaded(firmware);
    } catch (err) {
      setPhase({ at: 'form' });
      if (!(err instanceof DOMException && err.name === 'AbortError')) setError(err);
    } finally {
      upload.current = undefined;
    }
  };

  if (phase.at === 'done') {
    const f = phase.firmware;
    return (
      <Dialog
        open={open}
        onOpenChange={changeOpen}
        wide
        title={t('upload.done')}
        description={richText(t('upload.doneDescription', { productKey: f.productKey }), {
          version: () => <strong className="font-mono">{f.version}</strong>,
          module: () => <span className="font-mono">{f.module}</span>,
        })}
        footer={(
          <>
            <Button onClick={reset}>{t('upload.another')}</Button>
            <Link
              to={newCampaignHref(f.id)}
              className="inline-flex items-center gap-1.5 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-800 shadow-sm hover:bg-slate-50"
            >
              <i aria-hidden className="fa fa-rocket" /> {t('upload.rollItOut')}
            </Link>
            <Button key="done" variant="primary" onClick={() => changeOpen(false)}>{t('upload.finish')}</Button>
          </>
        )}
      >
        <div className="space-y-3" data-testid="uploaded-firmware">
          <Facts
            items={[
              [t('label.version'), <span key="v" className="font-mono">{f.version} <span className="text-slate-500">{t('codeParen', { code: String(f.versionCode) })}</span></span>],
              [t('upload.file'), <span key="f" className="font-mono">{f.fileName}</span>],
              [t('upload.size'), t('sizeWithBytes', { size: formatBytes(f.size), bytes: t('bytes', { count: f.size }) })],
            ]}
          />
          <div>
            <p className="mb-1 text-sm font-medium text-slate-700">{SHA256_LABEL}</p>
            <CopyBlock id="uploaded-sha256" label={SHA256_LABEL} text={f.sha256} />
          </div>
          <div>
            <p className="mb-1 text-sm font-medium text-slate-700">{MD5_LABEL}</p>
            <CopyBlock id="uploaded-md5" label={MD5_LABEL} text={f.md5} />
          </div>
        </div>
      </Dialog>
    );
  }

  const uploading = phase.at === 'uploading' ? phase.progress : undefined;
  // Open while it holds something or something in it is wrong (a problem must not hide in a closed section).
  const moreOpen = moreOpened || (['minVersion', 'maxVersion', 'fromVersions', 'extData'] as const).some((f) => form[f].trim() !== '' || shown(f) !== undefined);
  const code = versionCode(form.version.trim());
  const percent = uploading && uploading.total > 0 ? (uploading.loaded / uploading.total) * 100 : 0;
  const sent = uploading && uploading.total > 0 && uploading.loaded >= uploading.total;
  return (
    <Dialog
      open={open}
      onOpenChange={changeOpen}
      wide
      title={t('label.uploadFirmware')}
      description={t('upload.description')}
    >
      <form aria-label={t('label.uploadFirmware')} className="space-y-4" onSubmit={(e) => void submit(e)} noValidate>
        <fieldset disabled={uploading !== undefined} className="space-y-4">
          <div className="grid gap-3 sm:grid-cols-3">
            <Field label={t('label.product')} error={shown('productKey')}>
              <select className={INPUT} value={form.productKey} onChange={(e) => set({ productKey: e.target.value })}>
                {products.length === 0 && <option value="">{t('upload.noProducts')}</option>}
                {products.map((p) => <option key={p.productKey} value={p.productKey}>{p.name} ({p.productKey})</option>)}
              </select>
            </Field>
            <Field label={t('label.module')} hint={t('upload.moduleHint')} error={shown('module')}>
              <input className={`${INPUT} font-mono`} list={`${fileInputId}-modules`} value={form.module} spellCheck={false} onChange={(e) => set({ module: e.target.value })} />
            </Field>
            <Field
              label={t('label.version')}
              hint={code !== undefined
                ? (newest ? t('upload.codeNewest', { code: String(code), newest: newest.version }) : t('upload.code', { code: String(code) }))
                : newest ? t('upload.newest', { newest: newest.version }) : versionHint()}
              error={shown('version')}
            >
              <input className={`${INPUT} font-mono`} value={form.version} placeholder="2.1.0" spellCheck={false} autoComplete="off" onChange={(e) => set({ version: e.target.value })} />
            </Field>
          </div>
          <datalist id={`${fileInputId}-modules`}>
            {modules.map((m) => <option key={m} value={m} />)}
          </datalist>

          <Field
            label={t('upload.image')}
            error={shown('file')}
            hint={file ? t('upload.fileHint', { name: file.name, size: formatBytes(file.size), bytes: t('bytes', { count: file.size }) }) : t('upload.imageHint')}
          >
            <input
              type="file"
              className="block w-full text-sm text-slate-700 file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:text-slate-800 hover:file:bg-slate-50"
              onChange={(e) => {
                const chosen = e.target.files?.[0];
                setFile(chosen);
                set({ file: chosen ? { name: chosen.name, size: chosen.size } : undefined });
              }}
            />
          </Field>

          <Field label={t('label.releaseNotes')} error={shown('releaseNotes')}>
            <textarea className={INPUT} rows={2} value={form.releaseNotes} placeholder={t('label.notesPlaceholder')} onChange={(e) => set({ releaseNotes: e.target.value })} />
          </Field>

          <details
            className="rounded-md border border-slate-200 px-3 py-2"
            open={moreOpen}
            onToggle={(e) => setMoreOpen(e.currentTarget.open)}
          >
            <summary className="cursor-pointer text-sm font-medium text-slate-700">
              {t('label.sourcesTitle')} <span className="font-normal text-slate-500">{t('upload.optional')}</span>
            </summary>
            <div className="mt-3 space-y-3">
              <p className="text-xs text-slate-500">{t('label.sourcesOlderThanThis')}</p>
              <FirmwareConstraintFields form={form} set={set} shown={shown} />
            </div>
          </details>
        </fieldset>

        {uploading && (
          <div className="space-y-1 rounded-md border border-sky-200 bg-sky-50 px-3 py-2" aria-live="polite">
            <ProgressBar percent={percent} label={t('upload.progress')} className="w-full" />
            <p className="text-xs text-sky-900" data-testid="upload-progress">
              {sent
                ? t('upload.sent')
                : t('upload.uploadingOf', { loaded: formatBytes(uploading.loaded), total: formatBytes(uploading.total), percent: Math.floor(percent) })}
            </p>
          </div>
        )}
        <ErrorNote error={server.rest} />
        <div className="flex justify-end gap-2 pt-1">
          <Button onClick={() => (uploading ? upload.current?.abort() : changeOpen(false))}>{uploading ? t('upload.stop') : tc('cancel')}</Button>
          <Button type="submit" variant="primary" disabled={uploading !== undefined || products.length === 0}>
            <i aria-hidden className="fa fa-upload" /> {uploading ? t('upload.uploading') : tc('upload')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

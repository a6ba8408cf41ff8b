/**
 * The fields of a firmware that may change after upload, as the upload and edit dialogs show them: the source versions
 * it installs over and the extra data devices get. (Release notes sit elsewhere in each dialog.)
 */
import { Field, INPUT } from '../ui/field.tsx';
import { EXT_DATA_EXAMPLE, type FirmwareMeta, type FirmwareMetaField } from './firmware-form.ts';
import { t } from './ota.messages.ts';

const EXAMPLES: Record<'minVersion' | 'maxVersion' | 'fromVersions' | 'extData', string> = {
  minVersion: '1.0.0', maxVersion: '1.9.999', fromVersions: '1.2.0, 1.3.0', extData: '{}',
};

export function FirmwareConstraintFields({ form, set, shown, placeholders = EXAMPLES }: {
  form: FirmwareMeta;
  set(change: Partial<FirmwareMeta>): void;
  /** The problem to show at a field, if any. */
  shown(field: FirmwareMetaField): string | undefined;
  /** What an empty field shows: examples by default; what empty means where stored values are edited. */
  placeholders?: typeof EXAMPLES;
}) {
  return (
    <>
      <div className="grid gap-3 sm:grid-cols-3">
        <Field label={t('meta.min')} error={shown('minVersion')}>
          <input className={`${INPUT} font-mono`} value={form.minVersion} placeholder={placeholders.minVersion} spellCheck={false} onChange={(e) => set({ minVersion: e.target.value })} />
        </Field>
        <Field label={t('meta.max')} error={shown('maxVersion')}>
          <input className={`${INPUT} font-mono`} value={form.maxVersion} placeholder={placeholders.maxVersion} spellCheck={false} onChange={(e) => set({ maxVersion: e.target.value })} />
        </Field>
        <Field label={t('meta.from')} hint={t('meta.fromHint')} error={shown('fromVersions')}>
          <input className={`${INPUT} font-mono`} value={form.fromVersions} placeholder={placeholders.fromVersions} spellCheck={false} onChange={(e) => set({ fromVersions: e.target.value })} />
        </Field>
      </div>
      <Field label={t('meta.extData')} hint={t('meta.extDataHint', { example: EXT_DATA_EXAMPLE })} error={shown('extData')}>
        <textarea className={`${INPUT} font-mono text-xs`} rows={2} value={form.extData} spellCheck={false} placeholder={placeholders.extData} onChange={(e) => set({ extData: e.target.value })} />
      </Field>
    </>
  );
}

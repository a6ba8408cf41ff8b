/** The four steps of the campaign wizard (`campaign-wizard-page.tsx` holds their state and the way between them). */
import { useId, useMemo, useState, type ReactNode } from 'react';
import { TagEditor } from '../devices/device-create-tags.tsx';
import { tc } from '../i18n/common.messages.ts';
import { formatNumber } from '../i18n/messages.ts';
import { richText } from '../i18n/rich.tsx';
import { Link } from '../routing.ts';
import { Button } from '../ui/button.tsx';
import { cx } from '../ui/cx.ts';
import { EmptyState, ErrorNote, Loading } from '../ui/feedback.tsx';
import { Field, INPUT } from '../ui/field.tsx';
import { Facts } from '../ui/page.tsx';
import { Table, TBody, Td, Th } from '../ui/table.tsx';
import { TimeAgo } from '../ui/time.tsx';
import { queryString, useApi } from '../use-api.ts';
import {
  DEFAULT_STRATEGY_FORM, durationWords, formWaves, STRATEGY_DEFAULTS, WAVE_PRESETS, waveIncrements, wavePresetLabel, waveSizes,
  type StrategyField, type StrategyForm,
} from './campaign-strategy.ts';
import { namesFromCsv, namesFromList, type TargetForm, type TargetKind } from './campaign-target.ts';
import type { FirmwareChoice } from './campaign-wizard-page.tsx';
import type { ProductChoice } from './firmware-list.tsx';
import { FIRMWARE_HREF, type CampaignPreview, type Firmware, type FirmwarePage } from './ota-api.ts';
import { constraintText, formatBytes } from './ota-format.ts';
import { t } from './ota.messages.ts';

function StepHeading({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="mb-4">
      <h2 className="text-base font-semibold text-slate-900">{title}</h2>
      {children && <p className="mt-0.5 text-sm text-slate-600">{children}</p>}
    </div>
  );
}

/** What step 1 offers and what is chosen: what the user picked where it is valid, else the first of each list. */
export interface FirmwareOptions {
  products: ProductChoice[];
  modules: string[];
  /** The module's images, newest version first. */
  versions: Firmware[];
  productKey: string;
  module: string;
  firmware: Firmware | undefined;
  /** The product has no firmware at all. */
  none: boolean;
  loading: boolean;
  error: unknown;
}

/**
 * The choice of step 1, resolved against what exists: a product, module or version the user did not pick (or that
 * is gone) is the first on offer, so the newest version of the first module is chosen until the user picks another.
 */
export function useFirmwareOptions(choice: FirmwareChoice): FirmwareOptions {
  const products = useApi<{ items: ProductChoice[] }>('/products');
  const productItems = products.data?.items ?? [];
  const productKey = choice.productKey || productItems[0]?.productKey || '';
  const images = useApi<FirmwarePage>(productKey ? `/firmware${queryString({ productKey, limit: 100 })}` : null);
  const items = images.data?.items ?? [];
  const modules = [...new Set(items.map((f) => f.module))].sort();
  const module = choice.module && modules.includes(choice.module) ? choice.module : modules[0] ?? '';
  const versions = items.filter((f) => f.module === module).sort((a, b) => b.versionCode - a.versionCode);
  const picked = choice.firmware && versions.find((f) => f.id === choice.firmware!.id);
  return {
    products: productItems, modules, versions, productKey, module,
    firmware: picked ?? (choice.firmware && choice.module === module && !images.data ? choice.firmware : versions[0]),
    none: images.data !== undefined && items.length === 0,
    loading: products.loading || images.loading,
    error: products.error ?? images.error,
  };
}

/** Step 1: the product, the module and the version to install. */
export function FirmwareStep({ options, onChoice }: { options: FirmwareOptions; onChoice(choice: FirmwareChoice): void }) {
  const { products, modules, versions, productKey, module, firmware } = options;
  return (
    <div>
      <StepHeading title={t('firmwareStep.title')}>{t('firmwareStep.text')}</StepHeading>
      {options.error !== undefined && <ErrorNote error={options.error} className="mb-3" />}
      <div className="grid gap-3 md:grid-cols-3">
        <Field label={t('label.product')}>
          <select className={INPUT} value={productKey} onChange={(e) => onChoice({ productKey: e.target.value, module: '', firmware: undefined })}>
            {products.length === 0 && <option value="">—</option>}
            {products.map((p) => <option key={p.productKey} value={p.productKey}>{p.name} ({p.productKey})</option>)}
          </select>
        </Field>
        <Field label={t('label.module')}>
          <select className={INPUT} value={module} disabled={modules.length === 0} onChange={(e) => onChoice({ productKey, module: e.target.value, firmware: undefined })}>
            {modules.length === 0 && <option value="">—</option>}
            {modules.map((m) => <option key={m} value={m}>{m}</option>)}
          </select>
        </Field>
        <Field label={t('label.version')}>
          <select
            className={`${INPUT} font-mono`}
            value={firmware?.id ?? ''}
            disabled={versions.length === 0}
            onChange={(e) => onChoice({ productKey, module, firmware: versions.find((f) => f.id === Number(e.target.value)) })}
          >
            {versions.length === 0 && <option value="">—</option>}
            {versions.map((f) => <option key={f.id} value={f.id}>{t('versionWithCode', { version: f.version, code: String(f.versionCode) })}</option>)}
          </select>
        </Field>
      </div>
      {options.loading ? <Loading what={t('loading.firmware')} /> : options.none ? (
        <div className="mt-4">
          <EmptyState title={t('firmwareStep.none')} action={<Link to={`${FIRMWARE_HREF}${queryString({ productKey })}`} className="text-sm font-medium text-sky-700 underline">{t('label.uploadFirmware')}</Link>}>
            {t('firmwareStep.noneHint')}
          </EmptyState>
        </div>
      ) : firmware && <FirmwareSummary firmware={firmware} />}
    </div>
  );
}

function FirmwareSummary({ firmware: f }: { firmware: Firmware }) {
  return (
    <section className="mt-4 rounded-md border border-slate-200 bg-slate-50 p-3" aria-label={t('firmwareStep.chosen')}>
      <Facts
        items={[
          [t('label.image'), (
            <span key="i">
              {richText(t('firmwareStep.imageValue', { size: formatBytes(f.size), user: f.createdBy }), {
                file: () => <span className="font-mono">{f.fileName || `#${f.id}`}</span>,
                ago: () => <TimeAgo at={f.createdAt} />,
              })}
            </span>
          )],
          [t('label.installsOver'), constraintText(f.constraint) || t('firmwareStep.anyOlder', { version: f.version })],
          [t('label.releaseNotes'), f.releaseNotes ? <span key="n" className="whitespace-pre-line">{f.releaseNotes}</span> : <span key="n" className="text-slate-400">{tc('none')}</span>],
        ]}
      />
    </section>
  );
}

const KINDS = [
  { kind: 'all', label: 'kind.all', hint: 'kind.allHint' },
  { kind: 'tags', label: 'kind.tags', hint: 'kind.tagsHint' },
  { kind: 'devices', label: 'kind.devices', hint: 'kind.devicesHint' },
] as const satisfies readonly { kind: TargetKind; label: string; hint: string }[];

/** Step 2: which of the product's devices. */
export function TargetStep({ firmware, form, onForm, problem }: { firmware: Firmware; form: TargetForm; onForm(form: TargetForm): void; problem?: string }) {
  const name = useId();
  return (
    <div>
      <StepHeading title={t('targetStep.title')}>
        {richText(t('targetStep.text'), {
          pk: () => <code className="font-mono">{firmware.productKey}</code>,
          module: () => <code className="font-mono">{firmware.module}</code>,
        })}
      </StepHeading>
      <fieldset>
        <legend className="sr-only">{t('targetStep.legend')}</legend>
        <div className="grid gap-3 md:grid-cols-3">
          {KINDS.map((k) => (
            <label
              key={k.kind}
              className={cx(
                'flex cursor-pointer gap-2 rounded-md border p-3 text-sm',
                form.kind === k.kind ? 'border-sky-500 bg-sky-50 ring-1 ring-sky-500' : 'border-slate-200 hover:bg-slate-50',
              )}
            >
              <input type="radio" name={name} className="mt-0.5" checked={form.kind === k.kind} onChange={() => onForm({ ...form, kind: k.kind })} />
              <span>
                <span className="block font-medium text-slate-900">{t(k.label)}</span>
                <span className="block text-xs text-slate-600">{t(k.hint)}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="mt-4">
        {form.kind === 'tags' && <TagEditor rows={form.tags} onChange={(tags) => onForm({ ...form, tags })} error={problem} />}
        {form.kind === 'devices' && <NameList productKey={firmware.productKey} form={form} onForm={onForm} problem={problem} />}
        {form.kind === 'all' && problem && <p className="text-sm text-red-700">{problem}</p>}
      </div>
    </div>
  );
}

function NameList({ productKey, form, onForm, problem }: { productKey: string; form: TargetForm; onForm(form: TargetForm): void; problem?: string }) {
  const [read, setRead] = useState<string>();
  const [fileError, setFileError] = useState<string>();
  const list = useMemo(() => namesFromList(form.names), [form.names]);

  const load = async (file: File | undefined) => {
    setFileError(undefined);
    setRead(undefined);
    if (!file) return;
    let text: string;
    try {
      text = await file.text();
    } catch (err) {
      setFileError(t('names.unreadable', { file: file.name, error: (err as Error).message }));
      return;
    }
    const csv = namesFromCsv(text, productKey);
    if (csv.names.length === 0 && csv.invalid.length === 0) {
      setFileError(t('names.noNames', { file: file.name }));
      return;
    }
    onForm({ ...form, names: [...csv.names, ...csv.invalid].join('\n') });
    const notes = [
      t(csv.column === 'deviceName' ? 'names.fromNameColumn' : 'names.fromFirstColumn', { count: csv.names.length, file: file.name }),
      csv.duplicates > 0 && t('names.repeated', { count: csv.duplicates }),
      csv.otherProduct > 0 && t('names.otherProduct', { count: csv.otherProduct }),
    ].filter(Boolean);
    setRead(`${notes.join(t('semicolon'))}${t('sentenceEnd')}`);
  };

  const count = list.names.length;
  return (
    <div className="grid gap-4 md:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
      <Field
        label={t('names.label')}
        hint={t('names.hint', {
          devices: t('devicesCount', { count }),
          repeated: list.duplicates ? t('names.hintRepeated', { count: list.duplicates }) : '',
        })}
        error={problem ?? (list.invalid.length > 0 ? t('names.invalid', { names: `${list.invalid.slice(0, 5).join(', ')}${list.invalid.length > 5 ? ', …' : ''}` }) : undefined)}
      >
        <textarea className={`${INPUT} font-mono text-xs`} rows={8} spellCheck={false} value={form.names} placeholder={'room-101\nroom-102\nroom-103'} onChange={(e) => onForm({ ...form, names: e.target.value })} />
      </Field>
      <div className="space-y-2">
        <Field label={t('names.csv')} error={fileError} hint={read ?? t('names.csvHint')}>
          <input
            type="file"
            accept=".csv,.txt,text/csv,text/plain"
            className="block w-full text-sm text-slate-700 file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:text-slate-800 hover:file:bg-slate-50"
            onClick={(e) => {
              e.currentTarget.value = '';
            }}
            onChange={(e) => void load(e.target.files?.[0])}
          />
        </Field>
      </div>
    </div>
  );
}

/** The waves of `sizes` as a line of chips: "1% → 3 devices". */
function WaveChips({ waves, sizes }: { waves: readonly number[]; sizes: readonly number[] }) {
  const adds = waveIncrements(sizes);
  return (
    <ol className="flex flex-wrap gap-2" aria-label={t('waves.sizes')}>
      {waves.map((pct, i) => (
        <li key={i} className="rounded-md border border-slate-200 bg-white px-2.5 py-1 text-sm">
          <span className="text-xs text-slate-500">{t('waves.chip', { n: i + 1, pct })}</span>
          <span className="block font-semibold tabular-nums text-slate-900">
            {formatNumber(sizes[i] ?? 0)} <span className="text-xs font-normal text-slate-500">{i > 0 ? `(+${formatNumber(adds[i] ?? 0)})` : t('devicesWord', { count: sizes[i] ?? 0 })}</span>
          </span>
        </li>
      ))}
    </ol>
  );
}

/** Step 3: how many devices would be upgraded, in which waves, and why the others would not. */
export function PreviewStep({ firmware, preview, strategy, onRetry, onBack }: {
  firmware: Firmware;
  preview: { data?: CampaignPreview; error?: unknown; loading: boolean };
  strategy: StrategyForm;
  onRetry(): void;
  onBack(): void;
}) {
  if (preview.loading) return <Loading what={t('loading.preview')} />;
  if (preview.error !== undefined || !preview.data) {
    return (
      <div className="space-y-2">
        <ErrorNote error={preview.error ?? new Error(t('preview.none'))} />
        <Button size="sm" onClick={onRetry}>{tc('retry')}</Button>
      </div>
    );
  }
  const p = preview.data;
  const waves = formWaves(strategy);
  const plan = 'waves' in waves ? waves.waves : [...STRATEGY_DEFAULTS.waves];
  // The server's sizes when they are for the same plan; else the same rule worked out here.
  const sizes = p.waveSizes.length === plan.length && plan.length > 1 ? p.waveSizes : waveSizes(p.matched, plan);
  const excluded = p.excluded.reduce((n, e) => n + e.count, 0);
  return (
    <div className="space-y-5">
      <StepHeading title={t('preview.title')}>{t('preview.text')}</StepHeading>
      <div className="flex flex-wrap items-start gap-x-10 gap-y-3">
        <div data-testid="preview-matched">
          <span className="block text-xs font-medium uppercase tracking-wide text-slate-500">{t('preview.wouldUpgrade')}</span>
          <span className={cx('block text-3xl font-semibold tabular-nums', p.matched === 0 ? 'text-red-700' : 'text-emerald-700')}>{formatNumber(p.matched)}</span>
          <span className="text-sm text-slate-600">{t('preview.ofTargeted', { count: p.targeted })}</span>
        </div>
        <div>
          <span className="block text-xs font-medium uppercase tracking-wide text-slate-500">{t('preview.toVersion')}</span>
          <span className="block font-mono text-3xl font-semibold text-slate-900">{p.version}</span>
          <span className="text-sm text-slate-600">{t('word.module')} <span className="font-mono">{p.module}</span></span>
        </div>
      </div>
      {p.matched > 0 ? (
        <div>
          <p className="mb-1.5 text-sm font-medium text-slate-700">{t('preview.inWaves')} <span className="font-normal text-slate-500">{t('preview.planNext')}</span></p>
          <WaveChips waves={plan} sizes={sizes} />
        </div>
      ) : (
        <div role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {richText(t('preview.nothing', { version: firmware.version, reasons: excluded > 0 ? t('preview.reasonsBelow') : '' }), {
            back: (text) => <Button size="sm" variant="ghost" onClick={onBack}>{text}</Button>,
          })}
        </div>
      )}
      {p.excluded.length > 0 && (
        <div>
          <p className="mb-1.5 text-sm font-medium text-slate-700">{t('preview.leftOut', { count: excluded })}</p>
          <Table label={t('preview.leftOutTable')}>
            <thead>
              <tr>
                <Th>{t('label.reason')}</Th>
                <Th className="text-right">{t('preview.devicesCol')}</Th>
                <Th>{t('preview.examples')}</Th>
              </tr>
            </thead>
            <TBody>
              {p.excluded.map((e) => (
                <tr key={e.reason}>
                  <Td className="text-slate-800">{e.reason}</Td>
                  <Td className="text-right tabular-nums">{formatNumber(e.count)}</Td>
                  <Td className="max-w-[24rem] font-mono text-xs text-slate-700">
                    <span className="line-clamp-2" title={e.examples.join(', ')}>
                      {e.examples.join(', ')}{e.count > e.examples.length ? ', …' : ''}
                    </span>
                  </Td>
                </tr>
              ))}
            </TBody>
          </Table>
        </div>
      )}
    </div>
  );
}

/** The hash algorithms devices can be given (names, not words to translate). */
const SIGN_METHODS: readonly StrategyForm['signMethod'][] = ['SHA256', 'MD5'];

/** Step 4: the name, the waves and the limits; every field shows its default. */
export function StrategyStep({ matched, form, onForm, name, onName, errors }: {
  matched: number;
  form: StrategyForm;
  onForm(form: StrategyForm): void;
  name: string;
  onName(name: string): void;
  errors: Partial<Record<StrategyField | 'name', string>>;
}) {
  const radio = useId();
  const set = (change: Partial<StrategyForm>) => onForm({ ...form, ...change });
  const waves = formWaves(form);
  const timeout = Number(form.deviceTimeoutSeconds);
  const changed = JSON.stringify(form) !== JSON.stringify(DEFAULT_STRATEGY_FORM);
  // The defaults as they are typed (1800, not 1,800).
  const defaultHint = (value: string | number) => t('strategy.default', { value: String(value) });
  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <StepHeading title={t('strategy.title')}>{t('strategy.text')}</StepHeading>
        {changed && <Button size="sm" variant="ghost" onClick={() => onForm(DEFAULT_STRATEGY_FORM)}><i aria-hidden className="fa fa-undo" /> {t('strategy.backToDefaults')}</Button>}
      </div>
      <Field label={t('strategy.name')} error={errors.name} className="max-w-xl">
        <input className={INPUT} value={name} maxLength={200} onChange={(e) => onName(e.target.value)} />
      </Field>

      <fieldset>
        <legend className="mb-1 text-sm font-medium text-slate-700">{t('rollout.waves')}</legend>
        <p className="mb-2 text-xs text-slate-500">{t('strategy.wavesText')}</p>
        <div className="flex flex-wrap gap-2">
          {[...WAVE_PRESETS.map((p) => ({ id: p.id, label: wavePresetLabel(p) })), { id: 'custom', label: t('strategy.custom') }].map((p) => (
            <label
              key={p.id}
              className={cx(
                'flex cursor-pointer items-center gap-2 rounded-md border px-3 py-1.5 text-sm',
                form.wavePreset === p.id ? 'border-sky-500 bg-sky-50 ring-1 ring-sky-500' : 'border-slate-200 hover:bg-slate-50',
              )}
            >
              <input type="radio" name={radio} checked={form.wavePreset === p.id} onChange={() => set({ wavePreset: p.id })} />
              {p.label}
              {p.id === 'all' && <span className="text-xs text-slate-500">{t('strategy.isDefault')}</span>}
            </label>
          ))}
        </div>
        {form.wavePreset === 'custom' && (
          <Field label={t('strategy.cumulative')} className="mt-3 max-w-sm" error={errors.waves} hint={t('strategy.cumulativeHint')}>
            <input className={`${INPUT} font-mono`} value={form.customWaves} onChange={(e) => set({ customWaves: e.target.value })} placeholder="1, 10, 100" />
          </Field>
        )}
        {form.wavePreset !== 'custom' && errors.waves && <p className="mt-1 text-xs text-red-700">{errors.waves}</p>}
        {'waves' in waves && (
          <div className="mt-3">
            <WaveChips waves={waves.waves} sizes={waveSizes(matched, waves.waves)} />
          </div>
        )}
      </fieldset>

      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Field label={t('strategy.rate')} hint={t('strategy.rateHint')} error={errors.ratePerMinute}>
          <input className={INPUT} inputMode="numeric" value={form.ratePerMinute} placeholder={t('rollout.noLimit')} onChange={(e) => set({ ratePerMinute: e.target.value })} />
        </Field>
        <Field label={t('strategy.maxInFlight')} hint={defaultHint(STRATEGY_DEFAULTS.maxInFlight)} error={errors.maxInFlight}>
          <input className={INPUT} inputMode="numeric" value={form.maxInFlight} onChange={(e) => set({ maxInFlight: e.target.value })} />
        </Field>
        <Field label={t('strategy.maxDownloads')} hint={defaultHint(STRATEGY_DEFAULTS.maxConcurrentDownloads)} error={errors.maxConcurrentDownloads}>
          <input className={INPUT} inputMode="numeric" value={form.maxConcurrentDownloads} onChange={(e) => set({ maxConcurrentDownloads: e.target.value })} />
        </Field>
        <Field label={t('rollout.signMethod')} hint={t('strategy.signHint')} error={errors.signMethod}>
          <select className={INPUT} value={form.signMethod} onChange={(e) => set({ signMethod: e.target.value as StrategyForm['signMethod'] })}>
            {SIGN_METHODS.map((m) => <option key={m} value={m}>{m}</option>)}
          </select>
        </Field>
        <Field label={t('strategy.windowStart')} hint={t('strategy.windowStartHint')} error={errors.startAt}>
          <input type="datetime-local" className={INPUT} value={form.startAt} onChange={(e) => set({ startAt: e.target.value })} />
        </Field>
        <Field label={t('strategy.windowEnd')} hint={t('strategy.windowEndHint')} error={errors.endAt}>
          <input type="datetime-local" className={INPUT} value={form.endAt} onChange={(e) => set({ endAt: e.target.value })} />
        </Field>
        <Field
          label={t('strategy.timeout')}
          hint={`${Number.isFinite(timeout) && timeout > 0 ? t('strategy.silence', { duration: durationWords(timeout) }) : ''}${defaultHint(
            t('strategy.valueWithDuration', { value: String(STRATEGY_DEFAULTS.deviceTimeoutSeconds), duration: durationWords(STRATEGY_DEFAULTS.deviceTimeoutSeconds) }),
          )}`}
          error={errors.deviceTimeoutSeconds}
        >
          <input className={INPUT} inputMode="numeric" value={form.deviceTimeoutSeconds} onChange={(e) => set({ deviceTimeoutSeconds: e.target.value })} />
        </Field>
        <Field label={t('strategy.retries')} hint={t('strategy.retriesHint', { default: defaultHint(STRATEGY_DEFAULTS.retries) })} error={errors.retries}>
          <input className={INPUT} inputMode="numeric" value={form.retries} onChange={(e) => set({ retries: e.target.value })} />
        </Field>
        <Field
          label={t('strategy.threshold')}
          hint={t('strategy.thresholdHint', { pct: STRATEGY_DEFAULTS.failureThreshold * 100 })}
          error={errors.failureThresholdPercent}
          className="sm:col-span-2"
        >
          <input className={`${INPUT} max-w-[8rem]`} inputMode="decimal" value={form.failureThresholdPercent} onChange={(e) => set({ failureThresholdPercent: e.target.value })} />
        </Field>
      </div>
    </div>
  );
}

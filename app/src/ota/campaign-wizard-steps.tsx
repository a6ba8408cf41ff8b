/** The four steps of the campaign wizard (`campaign-wizard-page.tsx` holds their state and the way between them). */
import { useId, useMemo, useState, type ReactNode } from 'react';
import { TagEditor } from '../devices/device-create-tags.tsx';
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
  DEFAULT_STRATEGY_FORM, durationWords, formWaves, STRATEGY_DEFAULTS, WAVE_PRESETS, waveIncrements, waveSizes,
  type StrategyField, type StrategyForm,
} from './campaign-strategy.ts';
import { namesFromCsv, namesFromList, type TargetForm, type TargetKind } from './campaign-target.ts';
import type { FirmwareChoice } from './campaign-wizard-page.tsx';
import type { ProductChoice } from './firmware-list.tsx';
import { FIRMWARE_HREF, type CampaignPreview, type Firmware, type FirmwarePage } from './ota-api.ts';
import { constraintText, formatBytes } from './ota-format.ts';

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
      <StepHeading title="Which firmware?">The campaign installs one firmware image on devices of its product.</StepHeading>
      {options.error !== undefined && <ErrorNote error={options.error} className="mb-3" />}
      <div className="grid gap-3 md:grid-cols-3">
        <Field label="Product">
          <select className={INPUT} value={productKey} onChange={(e) => onChoice({ productKey: e.target.value, module: '', firmware: undefined })}>
            {products.length === 0 && <option value="">—</option>}
            {products.map((p) => <option key={p.productKey} value={p.productKey}>{p.name} ({p.productKey})</option>)}
          </select>
        </Field>
        <Field label="Module">
          <select className={INPUT} value={module} disabled={modules.length === 0} onChange={(e) => onChoice({ productKey, module: e.target.value, firmware: undefined })}>
            {modules.length === 0 && <option value="">—</option>}
            {modules.map((m) => <option key={m} value={m}>{m}</option>)}
          </select>
        </Field>
        <Field label="Version">
          <select
            className={`${INPUT} font-mono`}
            value={firmware?.id ?? ''}
            disabled={versions.length === 0}
            onChange={(e) => onChoice({ productKey, module, firmware: versions.find((f) => f.id === Number(e.target.value)) })}
          >
            {versions.length === 0 && <option value="">—</option>}
            {versions.map((f) => <option key={f.id} value={f.id}>{f.version} (code {f.versionCode})</option>)}
          </select>
        </Field>
      </div>
      {options.loading ? <Loading what="firmware" /> : options.none ? (
        <div className="mt-4">
          <EmptyState title="This product has no firmware yet" action={<Link to={`${FIRMWARE_HREF}${queryString({ productKey })}`} className="text-sm font-medium text-sky-700 underline">Upload firmware</Link>}>
            Upload an image for one of its modules first, then come back to roll it out.
          </EmptyState>
        </div>
      ) : firmware && <FirmwareSummary firmware={firmware} />}
    </div>
  );
}

function FirmwareSummary({ firmware: f }: { firmware: Firmware }) {
  return (
    <section className="mt-4 rounded-md border border-slate-200 bg-slate-50 p-3" aria-label="Chosen firmware">
      <Facts
        items={[
          ['Image', <span key="i"><span className="font-mono">{f.fileName || `#${f.id}`}</span>, {formatBytes(f.size)}, uploaded <TimeAgo at={f.createdAt} /> by {f.createdBy}</span>],
          ['Installs over', constraintText(f.constraint) || `any version older than ${f.version}`],
          ['Release notes', f.releaseNotes ? <span key="n" className="whitespace-pre-line">{f.releaseNotes}</span> : <span key="n" className="text-slate-400">none</span>],
        ]}
      />
    </section>
  );
}

const KINDS: readonly { kind: TargetKind; label: string; hint: string }[] = [
  { kind: 'all', label: 'All devices', hint: 'Every device of the product that runs an older version.' },
  { kind: 'tags', label: 'Devices with tags', hint: 'Devices that carry every key = value given.' },
  { kind: 'devices', label: 'A list of devices', hint: 'Names pasted, or read from a CSV file.' },
];

/** Step 2: which of the product's devices. */
export function TargetStep({ firmware, form, onForm, problem }: { firmware: Firmware; form: TargetForm; onForm(form: TargetForm): void; problem?: string }) {
  const name = useId();
  return (
    <div>
      <StepHeading title="Which devices?">
        Of product <code className="font-mono">{firmware.productKey}</code>. Only devices that report an older version of module{' '}
        <code className="font-mono">{firmware.module}</code> are upgraded; the preview says how many.
      </StepHeading>
      <fieldset>
        <legend className="sr-only">Target</legend>
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
                <span className="block font-medium text-slate-900">{k.label}</span>
                <span className="block text-xs text-slate-600">{k.hint}</span>
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
      setFileError(`"${file.name}" could not be read: ${(err as Error).message}`);
      return;
    }
    const csv = namesFromCsv(text, productKey);
    if (csv.names.length === 0 && csv.invalid.length === 0) {
      setFileError(`"${file.name}" holds no device names.`);
      return;
    }
    onForm({ ...form, names: [...csv.names, ...csv.invalid].join('\n') });
    const notes = [
      `${csv.names.length.toLocaleString('en')} ${csv.names.length === 1 ? 'name' : 'names'} from ${csv.column === 'deviceName' ? 'the deviceName column' : 'the first column'} of "${file.name}"`,
      csv.duplicates > 0 && `${csv.duplicates} repeated left out`,
      csv.otherProduct > 0 && `${csv.otherProduct} ${csv.otherProduct === 1 ? 'row' : 'rows'} of another product left out`,
    ].filter(Boolean);
    setRead(`${notes.join('; ')}.`);
  };

  const count = list.names.length;
  return (
    <div className="grid gap-4 md:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
      <Field
        label="Device names"
        hint={`${count.toLocaleString('en')} ${count === 1 ? 'device' : 'devices'}${list.duplicates ? ` (${list.duplicates} repeated, counted once)` : ''}. One per line, or separated by commas or spaces.`}
        error={problem ?? (list.invalid.length > 0 ? `Not device names: ${list.invalid.slice(0, 5).join(', ')}${list.invalid.length > 5 ? ', …' : ''}` : undefined)}
      >
        <textarea className={`${INPUT} font-mono text-xs`} rows={8} spellCheck={false} value={form.names} placeholder={'room-101\nroom-102\nroom-103'} onChange={(e) => onForm({ ...form, names: e.target.value })} />
      </Field>
      <div className="space-y-2">
        <Field label="Or load a CSV file" error={fileError} hint={read ?? 'Its deviceName column, or else its first column. A device import file works as it is.'}>
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
    <ol className="flex flex-wrap gap-2" aria-label="Wave sizes">
      {waves.map((pct, i) => (
        <li key={i} className="rounded-md border border-slate-200 bg-white px-2.5 py-1 text-sm">
          <span className="text-xs text-slate-500">Wave {i + 1} · {pct}%</span>
          <span className="block font-semibold tabular-nums text-slate-900">
            {(sizes[i] ?? 0).toLocaleString('en')} <span className="text-xs font-normal text-slate-500">{i > 0 ? `(+${(adds[i] ?? 0).toLocaleString('en')})` : sizes[i] === 1 ? 'device' : 'devices'}</span>
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
  if (preview.loading) return <Loading what="the preview" />;
  if (preview.error !== undefined || !preview.data) {
    return (
      <div className="space-y-2">
        <ErrorNote error={preview.error ?? new Error('No preview yet.')} />
        <Button size="sm" onClick={onRetry}>Try again</Button>
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
      <StepHeading title="Preview">What the campaign would do if it started now; devices that connect or report later count when their turn comes.</StepHeading>
      <div className="flex flex-wrap items-start gap-x-10 gap-y-3">
        <div data-testid="preview-matched">
          <span className="block text-xs font-medium uppercase tracking-wide text-slate-500">Would be upgraded</span>
          <span className={cx('block text-3xl font-semibold tabular-nums', p.matched === 0 ? 'text-red-700' : 'text-emerald-700')}>{p.matched.toLocaleString('en')}</span>
          <span className="text-sm text-slate-600">of {p.targeted.toLocaleString('en')} targeted {p.targeted === 1 ? 'device' : 'devices'}</span>
        </div>
        <div>
          <span className="block text-xs font-medium uppercase tracking-wide text-slate-500">To version</span>
          <span className="block font-mono text-3xl font-semibold text-slate-900">{p.version}</span>
          <span className="text-sm text-slate-600">module <span className="font-mono">{p.module}</span></span>
        </div>
      </div>
      {p.matched > 0 ? (
        <div>
          <p className="mb-1.5 text-sm font-medium text-slate-700">In waves <span className="font-normal text-slate-500">(the plan is chosen in the next step)</span></p>
          <WaveChips waves={plan} sizes={sizes} />
        </div>
      ) : (
        <div role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          No device would be upgraded to {firmware.version}. {excluded > 0 ? 'The reasons are below: ' : ''}
          <Button size="sm" variant="ghost" onClick={onBack}>change the devices</Button> or choose another firmware.
        </div>
      )}
      {p.excluded.length > 0 && (
        <div>
          <p className="mb-1.5 text-sm font-medium text-slate-700">Left out: {excluded.toLocaleString('en')} {excluded === 1 ? 'device' : 'devices'}</p>
          <Table label="Devices left out">
            <thead>
              <tr>
                <Th>Reason</Th>
                <Th className="text-right">Devices</Th>
                <Th>For example</Th>
              </tr>
            </thead>
            <TBody>
              {p.excluded.map((e) => (
                <tr key={e.reason}>
                  <Td className="text-slate-800">{e.reason}</Td>
                  <Td className="text-right tabular-nums">{e.count.toLocaleString('en')}</Td>
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
  const defaultHint = (value: string | number) => `Default ${value}.`;
  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <StepHeading title="Strategy">How fast, in how many waves, and when the campaign stops itself.</StepHeading>
        {changed && <Button size="sm" variant="ghost" onClick={() => onForm(DEFAULT_STRATEGY_FORM)}><i aria-hidden className="fa fa-undo" /> Back to defaults</Button>}
      </div>
      <Field label="Campaign name" error={errors.name} className="max-w-xl">
        <input className={INPUT} value={name} maxLength={200} onChange={(e) => onName(e.target.value)} />
      </Field>

      <fieldset>
        <legend className="mb-1 text-sm font-medium text-slate-700">Waves</legend>
        <p className="mb-2 text-xs text-slate-500">A wave starts when every device of the one before has finished. Cumulative: 1%, 10%, 100% upgrades 1%, then up to 10%, then the rest.</p>
        <div className="flex flex-wrap gap-2">
          {[...WAVE_PRESETS, { id: 'custom', label: 'Custom…', waves: [] }].map((p) => (
            <label
              key={p.id}
              className={cx(
                'flex cursor-pointer items-center gap-2 rounded-md border px-3 py-1.5 text-sm',
                form.wavePreset === p.id ? 'border-sky-500 bg-sky-50 ring-1 ring-sky-500' : 'border-slate-200 hover:bg-slate-50',
              )}
            >
              <input type="radio" name={radio} checked={form.wavePreset === p.id} onChange={() => set({ wavePreset: p.id })} />
              {p.label}
              {p.id === 'all' && <span className="text-xs text-slate-500">(default)</span>}
            </label>
          ))}
        </div>
        {form.wavePreset === 'custom' && (
          <Field label="Cumulative percentages" className="mt-3 max-w-sm" error={errors.waves} hint="Ascending, the last 100; at most 10 waves.">
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
        <Field label="Devices notified per minute" hint="Empty: no limit (the default)." error={errors.ratePerMinute}>
          <input className={INPUT} inputMode="numeric" value={form.ratePerMinute} placeholder="no limit" onChange={(e) => set({ ratePerMinute: e.target.value })} />
        </Field>
        <Field label="Devices upgrading at once" hint={defaultHint(STRATEGY_DEFAULTS.maxInFlight)} error={errors.maxInFlight}>
          <input className={INPUT} inputMode="numeric" value={form.maxInFlight} onChange={(e) => set({ maxInFlight: e.target.value })} />
        </Field>
        <Field label="Downloads at once" hint={defaultHint(STRATEGY_DEFAULTS.maxConcurrentDownloads)} error={errors.maxConcurrentDownloads}>
          <input className={INPUT} inputMode="numeric" value={form.maxConcurrentDownloads} onChange={(e) => set({ maxConcurrentDownloads: e.target.value })} />
        </Field>
        <Field label="Sign method" hint="The hash devices get in sign. Default SHA256." error={errors.signMethod}>
          <select className={INPUT} value={form.signMethod} onChange={(e) => set({ signMethod: e.target.value as StrategyForm['signMethod'] })}>
            <option value="SHA256">SHA256</option>
            <option value="MD5">MD5</option>
          </select>
        </Field>
        <Field label="Window start" hint="Empty: start now (the default)." error={errors.startAt}>
          <input type="datetime-local" className={INPUT} value={form.startAt} onChange={(e) => set({ startAt: e.target.value })} />
        </Field>
        <Field label="Window end" hint="Empty: no end. After it, queued devices are cancelled." error={errors.endAt}>
          <input type="datetime-local" className={INPUT} value={form.endAt} onChange={(e) => set({ endAt: e.target.value })} />
        </Field>
        <Field
          label="Device timeout (seconds)"
          hint={`${Number.isFinite(timeout) && timeout > 0 ? `${durationWords(timeout)} of silence. ` : ''}${defaultHint(`${STRATEGY_DEFAULTS.deviceTimeoutSeconds} (30 min)`)}`}
          error={errors.deviceTimeoutSeconds}
        >
          <input className={INPUT} inputMode="numeric" value={form.deviceTimeoutSeconds} onChange={(e) => set({ deviceTimeoutSeconds: e.target.value })} />
        </Field>
        <Field label="Retries per device" hint={`A failed or timed-out device is notified again. ${defaultHint(STRATEGY_DEFAULTS.retries)}`} error={errors.retries}>
          <input className={INPUT} inputMode="numeric" value={form.retries} onChange={(e) => set({ retries: e.target.value })} />
        </Field>
        <Field
          label="Stop when more than this fails (%)"
          hint={`Of a wave, failed or timed out. Default ${STRATEGY_DEFAULTS.failureThreshold * 100}%.`}
          error={errors.failureThresholdPercent}
          className="sm:col-span-2"
        >
          <input className={`${INPUT} max-w-[8rem]`} inputMode="decimal" value={form.failureThresholdPercent} onChange={(e) => set({ failureThresholdPercent: e.target.value })} />
        </Field>
      </div>
    </div>
  );
}

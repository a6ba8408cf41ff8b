/**
 * `/ota/campaigns/new[?firmwareId=7]`: a campaign in four steps (docs/ota.md "Campaigns and their strategy"):
 * the firmware, the devices, a preview of how many would be upgraded and why the others not, and the strategy. Create
 * starts it and opens its page. Each step is checked before the next; going back keeps what was entered.
 */
import { useState } from 'react';
import { ApiError } from '../api.ts';
import { tc } from '../i18n/common.messages.ts';
import { Link, navigate } from '../routing.ts';
import { Button } from '../ui/button.tsx';
import { cx } from '../ui/cx.ts';
import { ErrorNote, Loading } from '../ui/feedback.tsx';
import { Page } from '../ui/page.tsx';
import { useApi } from '../use-api.ts';
import { DEFAULT_STRATEGY_FORM, newCampaign, type StrategyField, type StrategyForm } from './campaign-strategy.ts';
import { EMPTY_TARGET_FORM, targetFromForm, type TargetForm } from './campaign-target.ts';
import { FirmwareStep, PreviewStep, StrategyStep, TargetStep, useFirmwareOptions } from './campaign-wizard-steps.tsx';
import { CAMPAIGNS_HREF, campaignHref, createCampaign, firmwarePath, previewCampaign, type CampaignPreview, type Firmware } from './ota-api.ts';
import { t } from './ota.messages.ts';

/** The steps, by the key of their name. */
const STEPS = ['wizard.step.firmware', 'wizard.step.devices', 'wizard.step.preview', 'wizard.step.strategy'] as const;

/** The firmware chosen in step 1. */
export interface FirmwareChoice {
  productKey: string;
  module: string;
  firmware: Firmware | undefined;
}

export function CampaignWizardPage() {
  const askedId = Number(new URLSearchParams(window.location.search).get('firmwareId')) || undefined;
  const asked = useApi<Firmware>(askedId ? firmwarePath(askedId) : null);
  const [step, setStep] = useState(0);
  const [chosen, setChosen] = useState<FirmwareChoice>();
  const [target, setTarget] = useState<TargetForm>(EMPTY_TARGET_FORM);
  const [targetProblem, setTargetProblem] = useState<string>();
  const [preview, setPreview] = useState<{ data?: CampaignPreview; error?: unknown; loading: boolean }>({ loading: false });
  const [strategy, setStrategy] = useState<StrategyForm>(DEFAULT_STRATEGY_FORM);
  const [name, setName] = useState<string>();
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [createError, setCreateError] = useState<unknown>();

  // "Roll out" from a firmware row: that firmware is chosen until another is.
  const choice: FirmwareChoice = chosen ?? (asked.data
    ? { productKey: asked.data.productKey, module: asked.data.module, firmware: asked.data }
    : { productKey: '', module: '', firmware: undefined });
  const options = useFirmwareOptions(choice);
  const firmware = options.firmware;
  const defaultName = firmware ? t('wizard.defaultName', { module: firmware.module, version: firmware.version, productKey: firmware.productKey }) : '';
  const campaignName = name ?? defaultName;

  const changeTarget = (next: TargetForm) => {
    setTarget(next);
    setTargetProblem(undefined);
    setPreview({ loading: false });
  };
  const changeChoice = (next: FirmwareChoice) => {
    setChosen(next);
    setPreview({ loading: false });
  };

  const runPreview = async () => {
    const t = targetFromForm(target);
    if (!firmware || 'problem' in t) return;
    setPreview({ loading: true });
    try {
      setPreview({ data: await previewCampaign(firmware.id, t.target), loading: false });
    } catch (err) {
      setPreview({ error: err, loading: false });
    }
  };

  const next = () => {
    if (step === 0 && !firmware) return;
    if (step === 1) {
      const t = targetFromForm(target);
      if ('problem' in t) {
        setTargetProblem(t.problem);
        return;
      }
      if (!preview.data) void runPreview();
    }
    if (step === 2 && !(preview.data && preview.data.matched > 0)) return;
    setStep(step + 1);
  };

  const built = firmware ? (() => {
    const t = targetFromForm(target);
    return 'problem' in t ? undefined : newCampaign(campaignName, firmware.id, t.target, strategy);
  })() : undefined;
  const create = async () => {
    setTried(true);
    if (!built || 'errors' in built) return;
    setBusy(true);
    setCreateError(undefined);
    try {
      const created = await createCampaign(built.campaign);
      navigate(campaignHref(created.id));
    } catch (err) {
      setCreateError(err);
    } finally {
      setBusy(false);
    }
  };
  const server = strategyServerErrors(createError);
  const errors: Partial<Record<StrategyField | 'name', string>> = { ...(tried && built && 'errors' in built ? built.errors : {}), ...server.fields };

  const back = <Link to={CAMPAIGNS_HREF} className="text-sky-700 hover:underline"><i className="fa fa-angle-left" aria-hidden /> {t('label.campaigns')}</Link>;
  const canNext = step === 0 ? !!firmware : step === 2 ? !!preview.data && preview.data.matched > 0 : true;

  return (
    <Page title={t('label.newCampaign')} back={back} subtitle={t('wizard.subtitle')}>
      <nav aria-label={t('wizard.steps')}>
        <ol className="flex flex-wrap gap-2">
          {STEPS.map((key, i) => {
            const done = i < step;
            return (
              <li key={key}>
                <button
                  type="button"
                  disabled={!done}
                  aria-current={i === step ? 'step' : undefined}
                  onClick={() => setStep(i)}
                  className={cx(
                    'flex items-center gap-2 rounded-full border px-3 py-1 text-sm',
                    i === step ? 'border-sky-700 bg-sky-700 font-medium text-white' : done ? 'border-sky-300 bg-sky-50 text-sky-900 hover:bg-sky-100' : 'border-slate-200 bg-white text-slate-500',
                  )}
                >
                  <span className={cx('flex h-5 w-5 items-center justify-center rounded-full text-xs', i === step ? 'bg-white/20' : done ? 'bg-sky-200' : 'bg-slate-100')}>
                    {done ? <i aria-hidden className="fa fa-check" /> : i + 1}
                  </span>
                  {t(key)}
                </button>
              </li>
            );
          })}
        </ol>
      </nav>

      <section aria-label={t(STEPS[step]!)} className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
        {asked.error && step === 0 && <ErrorNote error={asked.error} className="mb-4" />}
        {step === 0 && (askedId && asked.loading ? <Loading what={t('loading.theFirmware')} /> : <FirmwareStep options={options} onChoice={changeChoice} />)}
        {step === 1 && firmware && <TargetStep firmware={firmware} form={target} onForm={changeTarget} problem={targetProblem} />}
        {step === 2 && firmware && (
          <PreviewStep firmware={firmware} preview={preview} strategy={strategy} onRetry={() => void runPreview()} onBack={() => setStep(1)} />
        )}
        {step === 3 && firmware && preview.data && (
          <StrategyStep
            matched={preview.data.matched}
            form={strategy}
            onForm={(f) => {
              setStrategy(f);
              setCreateError(undefined);
            }}
            name={campaignName}
            onName={(n) => {
              setName(n);
              setCreateError(undefined);
            }}
            errors={errors}
          />
        )}
        {step === 3 && <ErrorNote error={server.rest} className="mt-4" />}
      </section>

      <div className="flex items-center justify-between gap-3">
        <Button onClick={() => (step === 0 ? navigate(CAMPAIGNS_HREF) : setStep(step - 1))}>
          {step === 0 ? tc('cancel') : <><i aria-hidden className="fa fa-angle-left" /> {tc('back')}</>}
        </Button>
        {step < STEPS.length - 1 ? (
          <Button variant="primary" disabled={!canNext} onClick={next}>
            {t('wizard.next', { step: t(STEPS[step + 1]!) })} <i aria-hidden className="fa fa-angle-right" />
          </Button>
        ) : (
          <Button variant="primary" disabled={busy} onClick={() => void create()}>
            <i aria-hidden className="fa fa-rocket" /> {busy ? t('wizard.creating') : strategy.startAt ? t('wizard.create') : t('wizard.createStart')}
          </Button>
        )}
      </div>
    </Page>
  );
}

const STRATEGY_FIELDS: readonly string[] = [
  'waves', 'ratePerMinute', 'maxInFlight', 'maxConcurrentDownloads', 'startAt', 'endAt', 'deviceTimeoutSeconds', 'retries', 'failureThreshold', 'signMethod',
];

/** The API's refusal of a new campaign, each problem at its strategy field or the name; the rest for the step. */
function strategyServerErrors(err: unknown): { fields: Partial<Record<StrategyField | 'name', string>>; rest: unknown } {
  if (!(err instanceof ApiError) || !Array.isArray(err.details)) return { fields: {}, rest: err };
  const fields: Partial<Record<StrategyField | 'name', string>> = {};
  let unplaced = false;
  for (const d of err.details as { path?: string; message?: string }[]) {
    const parts = String(d.path ?? '').split('/').filter(Boolean);
    const name = parts[0] === 'name' ? 'name' : parts[0] === 'strategy' && STRATEGY_FIELDS.includes(parts[1] ?? '') ? parts[1] : undefined;
    if (!name) {
      unplaced = true;
      continue;
    }
    const field = (name === 'failureThreshold' ? 'failureThresholdPercent' : name) as StrategyField | 'name';
    fields[field] = d.message ?? t('invalid');
  }
  return { fields, rest: unplaced || Object.keys(fields).length === 0 ? err : undefined };
}

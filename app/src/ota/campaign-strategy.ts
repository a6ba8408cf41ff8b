/**
 * The wizard's strategy step (docs/ota.md "Campaigns and their strategy"): the waves and limits as the form holds
 * them (text, so a half-typed number is not lost), checked and turned into the `strategy` of a campaign, and the wave
 * sizes the screens show. Pure.
 */
import type { CampaignStrategy, CampaignTarget, NewCampaign } from '../../../domain/ota/ota-schemas.ts';
import { DEFAULT_STRATEGY, waveSizesOf } from '../../../domain/ota/campaign-strategy.ts';
import { t } from './ota.messages.ts';

/** The strategy's defaults, as the API applies them to a field left out. */
export const STRATEGY_DEFAULTS = DEFAULT_STRATEGY;

/** Wave plans offered as one click; "custom" is typed. */
export const WAVE_PRESETS: readonly { id: string; waves: number[] }[] = [
  { id: 'all', waves: [100] },
  { id: 'canary', waves: [1, 10, 100] },
  { id: 'gradual', waves: [5, 25, 50, 100] },
  { id: 'halves', waves: [10, 50, 100] },
];

/** A preset as its button says it: "All at once (100%)", or its percentages ("1%, 10%, 100%"). */
export function wavePresetLabel(preset: { id: string; waves: readonly number[] }): string {
  return preset.id === 'all' ? t('preset.all') : preset.waves.map((w) => `${w}%`).join(', ');
}

/**
 * `1, 10, 100` (or `1% 10% 100%`) as cumulative wave percentages: ascending, above 0, at most 10 waves, the last 100.
 */
export function parseWaves(text: string): { waves: number[] } | { problem: string } {
  const parts = text.split(/[\s,;]+/).map((p) => p.replace(/%$/, '')).filter(Boolean);
  if (parts.length === 0) return { problem: t('waves.empty') };
  if (parts.length > 10) return { problem: t('waves.tooMany', { max: 10 }) };
  const waves: number[] = [];
  for (const part of parts) {
    const n = Number(part);
    if (!Number.isFinite(n) || !/^\d+(\.\d+)?$/.test(part)) return { problem: t('waves.notPercent', { part }) };
    if (n <= 0 || n > 100) return { problem: t('waves.outside', { part }) };
    if (waves.length > 0 && n <= waves[waves.length - 1]!) {
      return { problem: t('waves.notCumulative', { part, previous: waves[waves.length - 1]! }) };
    }
    waves.push(n);
  }
  if (waves[waves.length - 1] !== 100) return { problem: t('waves.last') };
  return { waves };
}

/** How many devices each wave reaches (cumulative), as the server will size the campaign. */
export function waveSizes(matched: number, waves: readonly number[]): number[] {
  return waveSizesOf(waves, matched);
}

/** The devices each wave adds (the sizes are cumulative). */
export function waveIncrements(sizes: readonly number[]): number[] {
  return sizes.map((size, i) => size - (i === 0 ? 0 : sizes[i - 1]!));
}

/** The strategy as the form holds it: text of inputs, `datetime-local` values for the window. */
export interface StrategyForm {
  /** A preset's id, or `custom`. */
  wavePreset: string;
  customWaves: string;
  ratePerMinute: string;
  maxInFlight: string;
  maxConcurrentDownloads: string;
  /** `YYYY-MM-DDTHH:mm` in the browser's zone, or empty. */
  startAt: string;
  endAt: string;
  deviceTimeoutSeconds: string;
  retries: string;
  /** Percent, 0–100. */
  failureThresholdPercent: string;
  signMethod: 'SHA256' | 'MD5';
}

export type StrategyField = Exclude<keyof StrategyForm, 'wavePreset'> | 'waves';

export const DEFAULT_STRATEGY_FORM: StrategyForm = {
  wavePreset: 'all',
  customWaves: '1, 10, 100',
  ratePerMinute: '',
  maxInFlight: String(STRATEGY_DEFAULTS.maxInFlight),
  maxConcurrentDownloads: String(STRATEGY_DEFAULTS.maxConcurrentDownloads),
  startAt: '',
  endAt: '',
  deviceTimeoutSeconds: String(STRATEGY_DEFAULTS.deviceTimeoutSeconds),
  retries: String(STRATEGY_DEFAULTS.retries),
  failureThresholdPercent: String(STRATEGY_DEFAULTS.failureThreshold * 100),
  signMethod: STRATEGY_DEFAULTS.signMethod,
};

/** The waves the form picks, or the problem with the custom ones. */
export function formWaves(form: Pick<StrategyForm, 'wavePreset' | 'customWaves'>): { waves: number[] } | { problem: string } {
  const preset = WAVE_PRESETS.find((p) => p.id === form.wavePreset);
  return preset ? { waves: [...preset.waves] } : parseWaves(form.customWaves);
}

function integer(text: string, min: number, max: number, what: string): { value?: number; problem?: string } {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return { problem: t('int.whole', { what, min, max }) };
  const value = Number(trimmed);
  if (value < min || value > max) return { problem: t('int.range', { what, min, max }) };
  return { value };
}

/** A `datetime-local` value as an ISO time (the browser's zone), or undefined when it is not one. */
export function localToIso(value: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}

/** The form as a campaign strategy, or the problem of each field that has one. */
export function strategyFromForm(form: StrategyForm): { strategy: CampaignStrategy } | { errors: Partial<Record<StrategyField, string>> } {
  const errors: Partial<Record<StrategyField, string>> = {};
  const waves = formWaves(form);
  if ('problem' in waves) errors.waves = waves.problem;
  const fields = {
    maxInFlight: integer(form.maxInFlight, 1, 10_000, t('strategy.maxInFlight')),
    maxConcurrentDownloads: integer(form.maxConcurrentDownloads, 1, 10_000, t('strategy.maxDownloads')),
    deviceTimeoutSeconds: integer(form.deviceTimeoutSeconds, 10, 7 * 86_400, t('strategy.timeout')),
    retries: integer(form.retries, 0, 10, t('rollout.retries')),
  };
  for (const [name, result] of Object.entries(fields)) if (result.problem) errors[name as StrategyField] = result.problem;
  let ratePerMinute: number | undefined;
  if (form.ratePerMinute.trim()) {
    const rate = integer(form.ratePerMinute, 1, 100_000, t('field.ratePerMinute'));
    if (rate.problem) errors.ratePerMinute = t('rate.emptyForNone', { problem: rate.problem });
    ratePerMinute = rate.value;
  }
  const thresholdText = form.failureThresholdPercent.trim().replace(/%$/, '');
  const threshold = Number(thresholdText);
  if (thresholdText === '' || !Number.isFinite(threshold) || threshold < 0 || threshold > 100) {
    errors.failureThresholdPercent = t('threshold.invalid');
  }
  const startAt = form.startAt ? localToIso(form.startAt) : undefined;
  const endAt = form.endAt ? localToIso(form.endAt) : undefined;
  if (form.startAt && !startAt) errors.startAt = t('date.invalid');
  if (form.endAt && !endAt) errors.endAt = t('date.invalid');
  if (startAt && endAt && Date.parse(endAt) <= Date.parse(startAt)) errors.endAt = t('window.order');
  if (form.signMethod !== 'SHA256' && form.signMethod !== 'MD5') errors.signMethod = t('sign.invalid');
  if (Object.keys(errors).length > 0) return { errors };

  const strategy: CampaignStrategy = {
    waves: (waves as { waves: number[] }).waves,
    maxInFlight: fields.maxInFlight.value!,
    maxConcurrentDownloads: fields.maxConcurrentDownloads.value!,
    deviceTimeoutSeconds: fields.deviceTimeoutSeconds.value!,
    retries: fields.retries.value!,
    // 12.5 % → 0.125, without 0.12500000000000003.
    failureThreshold: Math.round(threshold * 1000) / 100_000,
    signMethod: form.signMethod,
  };
  if (ratePerMinute !== undefined) strategy.ratePerMinute = ratePerMinute;
  if (startAt) strategy.startAt = startAt;
  if (endAt) strategy.endAt = endAt;
  return { strategy };
}

/** The body of `POST /ota/campaigns`, or the problems of the strategy's fields and the name. */
export function newCampaign(name: string, firmwareId: number, target: CampaignTarget, form: StrategyForm):
  { campaign: NewCampaign } | { errors: Partial<Record<StrategyField | 'name', string>> } {
  const result = strategyFromForm(form);
  const trimmed = name.trim();
  const nameProblem = trimmed === '' ? t('name.empty') : trimmed.length > 200 ? t('maxChars', { max: 200 }) : undefined;
  if ('errors' in result || nameProblem) return { errors: { ...('errors' in result ? result.errors : {}), ...(nameProblem ? { name: nameProblem } : {}) } };
  return { campaign: { name: trimmed, firmwareId, target, strategy: result.strategy } };
}

/** Seconds in words: `1800` → `30 min`, `90` → `1 min 30 s`, `7200` → `2 h`. */
export function durationWords(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.round(seconds % 60);
  const parts = [d && t('duration.d', { n: d }), h && t('duration.h', { n: h }), m && t('duration.min', { n: m }), s && t('duration.s', { n: s })].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : t('duration.s', { n: 0 });
}

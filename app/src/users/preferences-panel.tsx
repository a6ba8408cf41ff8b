import { useState } from 'react';
import { browserLocale, chosenTimeZone, LOCALE_NAMES, LOCALES, setLocale, systemTimeZone, type Locale } from '../i18n/locale.ts';
import { useLocale } from '../i18n/use-locale.ts';
import { savePreferences } from '../shell.tsx';
import { t } from '../shell.messages.ts';
import { Field, INPUT } from '../ui/field.tsx';
import { Panel } from '../ui/page.tsx';
import { setThemeChoice, type ThemeChoice } from '../ui/theme.ts';
import { formatTime, zoneOffset } from '../ui/time-format.ts';
import { useThemeChoice } from '../ui/use-theme.ts';

/** Every IANA time zone the browser knows, or a short list when it will not say. */
function timeZones(): readonly string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['UTC', 'Asia/Shanghai', 'Asia/Tokyo', 'Europe/Berlin', 'Europe/London', 'America/New_York', 'America/Los_Angeles'];
  }
}

/**
 * The account page's language, time zone and theme. Each applies at once and is saved to the user, so it follows
 * them to any browser they sign in from.
 */
export function PreferencesPanel() {
  const locale = useLocale();
  const theme = useThemeChoice();
  const [zone, setZone] = useState<string | null>(chosenTimeZone);
  const [saved, setSaved] = useState(false);
  // When the panel opened: the hint shows the time now in the chosen zone (it renders again when the zone changes).
  const [openedAt] = useState(() => Date.now());
  const save = (prefs: Parameters<typeof savePreferences>[0]) => {
    setSaved(false);
    void savePreferences(prefs).then(() => setSaved(true));
  };
  const zones = timeZones();
  return (
    <Panel title={t('prefs.title')}>
      <div className="grid gap-4 sm:grid-cols-3">
        <Field label={t('prefs.language')}>
          <select
            className={INPUT} value={locale}
            onChange={(e) => {
              const next = e.target.value as Locale;
              setLocale(next);
              save({ locale: next });
            }}
          >
            {LOCALES.map((l) => <option key={l} value={l} lang={l}>{LOCALE_NAMES[l]}{l === browserLocale() ? ' ✓' : ''}</option>)}
          </select>
        </Field>
        <Field label={t('prefs.timeZone')} hint={t('prefs.zoneHint', { now: `${formatTime(openedAt)} (${zoneOffset(undefined, openedAt)})` })}>
          <select
            className={INPUT} value={zone ?? ''}
            onChange={(e) => {
              const next = e.target.value || null;
              setZone(next);
              setLocale(locale, next);
              save({ timeZone: next });
            }}
          >
            <option value="">{t('prefs.browserZone', { zone: systemTimeZone() })}</option>
            {zones.map((z) => <option key={z} value={z}>{z}</option>)}
          </select>
        </Field>
        <Field label={t('prefs.theme')}>
          <select
            className={INPUT} value={theme}
            onChange={(e) => {
              const next = e.target.value as ThemeChoice;
              setThemeChoice(next);
              save({ theme: next });
            }}
          >
            {(['system', 'light', 'dark'] as const).map((c) => <option key={c} value={c}>{t(`theme.${c}`)}</option>)}
          </select>
        </Field>
      </div>
      {saved && <p role="status" className="mt-3 text-xs text-emerald-700">{t('prefs.saved')}</p>}
    </Panel>
  );
}

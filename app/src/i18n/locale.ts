/**
 * The language and time zone the UI speaks, as one small store usable outside React (formatters, validators) and
 * inside it (`useLocale`). Chosen in this order: the signed-in user's saved choice, the choice saved in this browser,
 * the browser's languages. Outside a browser (unit tests, the server) it is English in the process's time zone.
 */
import { readStored, writeStored } from '../ui/browser-storage.ts';

export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

/** Each language named in itself, as a language menu shows it. */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', 'zh-CN': '简体中文' };

/** What this module uses of a browser, typed here so the module also loads in Node (tests, the server's tooling). */
const host = globalThis as unknown as {
  navigator?: { languages?: readonly string[] };
  document?: { documentElement: { lang: string } };
};

const STORAGE_KEY = 'thingwire.locale';
const ZONE_KEY = 'thingwire.timeZone';

/** The locale for a BCP 47 tag: any Chinese is Simplified Chinese (the only Chinese we have), anything else English. */
export function localeFor(tag: string | null | undefined): Locale | undefined {
  if (!tag) return undefined;
  const lower = tag.toLowerCase();
  if (lower === 'en' || lower.startsWith('en-')) return 'en';
  if (lower === 'zh' || lower.startsWith('zh-')) return 'zh-CN';
  return undefined;
}

/** The first of the browser's languages we speak, else English. */
export function browserLocale(languages: readonly string[] = host.navigator?.languages ?? []): Locale {
  for (const tag of languages) {
    const locale = localeFor(tag);
    if (locale) return locale;
  }
  return 'en';
}

/** The browser's own time zone (IANA name), or UTC when it will not say. */
export function systemTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** Whether `zone` is an IANA time zone this browser knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

interface LocaleState {
  locale: Locale;
  /** `undefined`: the browser's own time zone. */
  timeZone: string | undefined;
}

let state: LocaleState = {
  locale: localeFor(readStored(STORAGE_KEY)) ?? (host.navigator ? browserLocale() : 'en'),
  timeZone: readStored(ZONE_KEY) ?? undefined,
};
const listeners = new Set<() => void>();

function apply(next: LocaleState): void {
  if (next.locale === state.locale && next.timeZone === state.timeZone) return;
  state = next;
  if (host.document) host.document.documentElement.lang = next.locale;
  for (const listener of listeners) listener();
}
if (host.document) host.document.documentElement.lang = state.locale;

/** The language the UI speaks now. */
export function currentLocale(): Locale {
  return state.locale;
}

/** The time zone the user chose (IANA name), or null for the browser's. */
export function chosenTimeZone(): string | null {
  return state.timeZone ?? null;
}

/** The time zone times are shown in now (IANA name). */
export function currentTimeZone(): string {
  return state.timeZone ?? systemTimeZone();
}

/**
 * Switches the language (and the time zone, `null` for the browser's) and remembers them in this browser, so the
 * sign-in screen speaks it next time too. Everything that reads {@link useLocale} renders again.
 */
export function setLocale(locale: Locale, timeZone?: string | null): void {
  writeStored(STORAGE_KEY, locale);
  const zone = timeZone === undefined ? state.timeZone : timeZone && isTimeZone(timeZone) ? timeZone : undefined;
  if (timeZone !== undefined) writeStored(ZONE_KEY, zone ?? null);
  apply({ locale, timeZone: zone });
}

/** A signed-in user's saved choices, which win over this browser's; `null` fields keep what the browser has. */
export function applyUserLocale(prefs: { locale: string | null; timeZone: string | null }): void {
  const locale = localeFor(prefs.locale);
  if (locale) writeStored(STORAGE_KEY, locale);
  if (prefs.timeZone) writeStored(ZONE_KEY, prefs.timeZone);
  apply({
    locale: locale ?? state.locale,
    timeZone: prefs.timeZone && isTimeZone(prefs.timeZone) ? prefs.timeZone : state.timeZone,
  });
}

/** Calls `listener` whenever the locale or time zone changes; answers how to stop. */
export function subscribeLocale(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The locale and time zone together, as a key that changes when either does. */
export function localeKey(): string {
  return `${state.locale}|${state.timeZone ?? ''}`;
}

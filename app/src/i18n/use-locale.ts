import { useSyncExternalStore } from 'react';
import { currentLocale, localeKey, subscribeLocale, type Locale } from './locale.ts';

/** The current locale in a component, which renders again when it changes. */
export function useLocale(): Locale {
  return useSyncExternalStore(subscribeLocale, currentLocale, currentLocale);
}

/** The locale and time zone as one key that changes when either does (the app renders again below it). */
export function useLocaleKey(): string {
  return useSyncExternalStore(subscribeLocale, localeKey, () => 'en|');
}

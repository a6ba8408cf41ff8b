import { useSyncExternalStore } from 'react';
import { currentTheme, subscribeTheme, themeChoice, type Theme, type ThemeChoice } from './theme.ts';

/** The theme shown now, in a component that renders again when it changes. */
export function useTheme(): Theme {
  return useSyncExternalStore(subscribeTheme, currentTheme, () => 'light');
}

/** The user's theme choice (system, light, dark). */
export function useThemeChoice(): ThemeChoice {
  return useSyncExternalStore(subscribeTheme, themeChoice, () => 'system');
}

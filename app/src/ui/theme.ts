/**
 * Light or dark: the user's choice, or the operating system's setting while they have not chosen ("system"). The
 * palette itself is CSS (vite.theme.ts): this only sets `class="dark"` on `<html>` and tells canvases (charts) that
 * draw their own colours.
 */
import { readStored, writeStored } from './browser-storage.ts';

export type ThemeChoice = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'thingwire.theme';
const host = globalThis as unknown as {
  matchMedia?: (query: string) => { matches: boolean; addEventListener(type: 'change', listener: () => void): void };
  document?: { documentElement: { classList: { toggle(name: string, on: boolean): void }; style: { colorScheme: string } } };
};

function storedChoice(): ThemeChoice {
  const value = readStored(STORAGE_KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

const systemDark = host.matchMedia?.('(prefers-color-scheme: dark)');
let choice: ThemeChoice = storedChoice();
let theme: Theme = resolve(choice);
const listeners = new Set<() => void>();

function resolve(c: ThemeChoice): Theme {
  return c === 'system' ? (systemDark?.matches ? 'dark' : 'light') : c;
}

/** Shows the theme the choice resolves to; answers whether it changed (the listeners were then told). */
function paint(): boolean {
  const next = resolve(choice);
  host.document?.documentElement.classList.toggle('dark', next === 'dark');
  if (next === theme) return false;
  theme = next;
  for (const listener of listeners) listener();
  return true;
}
systemDark?.addEventListener('change', () => void paint());
host.document?.documentElement.classList.toggle('dark', theme === 'dark');

/** The theme shown now. */
export function currentTheme(): Theme {
  return theme;
}

/** What the user chose (system, light, dark). */
export function themeChoice(): ThemeChoice {
  return choice;
}

/** Shows `next` and remembers it in this browser (the sign-in screen uses it before anyone is signed in). */
export function setThemeChoice(next: ThemeChoice): void {
  choice = next;
  writeStored(STORAGE_KEY, next);
  // Told once: the choice changed even when the theme shown did not (system → light on a light system).
  if (!paint()) for (const listener of listeners) listener();
}

/** Calls `listener` when the theme or the choice changes; answers how to stop. */
export function subscribeTheme(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Colours for what draws on a canvas (uPlot): the axes, grid and lines of the current theme. */
export function chartColors(t: Theme = theme): { axis: string; grid: string; line: string; band: string; bandFill: string; text: string } {
  return t === 'dark'
    ? { axis: '#94a3b8', grid: '#1e293b', line: '#38bdf8', band: 'rgba(56, 189, 248, 0.4)', bandFill: 'rgba(56, 189, 248, 0.14)', text: '#e2e8f0' }
    : { axis: '#475569', grid: '#e2e8f0', line: '#0369a1', band: 'rgba(3, 105, 161, 0.35)', bandFill: 'rgba(3, 105, 161, 0.12)', text: '#0f172a' };
}

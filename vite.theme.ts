/**
 * The UI's two themes as one palette. Every Tailwind colour (`bg-white`, `text-slate-700`, `border-sky-200`, …) is a
 * CSS variable; the light theme gives it Tailwind's value and the dark theme (`<html class="dark">`) the value at the
 * other end of its scale (slate-100 ↔ slate-900, white ↔ a near-black surface). So every screen gets a dark theme
 * from the classes it already has: light surfaces turn dark, dark text turns light, a red-50 error box becomes a
 * red-950 one with red-200 text. The few things that must not turn over (the top bar) say so with `dark:` classes.
 */
import { createRequire } from 'node:module';

// Required rather than imported: Tailwind's type declarations bring DOM types into the Node type check.
const colors = createRequire(import.meta.url)('tailwindcss/colors') as unknown;

const SHADES = ['50', '100', '200', '300', '400', '500', '600', '700', '800', '900', '950'] as const;
// Tailwind's current colour names (the old aliases only warn).
const HUES = [
  'slate', 'gray', 'zinc', 'neutral', 'stone', 'red', 'orange', 'amber', 'yellow', 'lime', 'green', 'emerald', 'teal',
  'cyan', 'sky', 'blue', 'indigo', 'violet', 'purple', 'fuchsia', 'pink', 'rose',
] as const;

type Scale = Record<(typeof SHADES)[number], string>;
const palette = colors as Record<string, Scale | string>;

/** `#0f172a` as `15 23 42`, the form `rgb(var(--x) / <alpha-value>)` takes. */
function channels(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `${(n >> 16) & 255} ${(n >> 8) & 255} ${n & 255}`;
}

const variable = (hue: string, shade: string) => `--tw-${hue}-${shade}`;

/** Tailwind's `theme.colors`: each colour a variable, so the theme decides its value. */
export function themeColors(): Record<string, string | Record<string, string>> {
  const out: Record<string, string | Record<string, string>> = {
    transparent: 'transparent',
    current: 'currentColor',
    inherit: 'inherit',
    white: 'rgb(var(--tw-white) / <alpha-value>)',
    black: 'rgb(var(--tw-black) / <alpha-value>)',
  };
  for (const hue of HUES) {
    out[hue] = Object.fromEntries(SHADES.map((shade) => [shade, `rgb(var(${variable(hue, shade)}) / <alpha-value>)`]));
  }
  return out;
}

/** The variables of both themes, for Tailwind's base layer. */
export function themeVariables(): Record<string, Record<string, string>> {
  const light: Record<string, string> = { '--tw-white': '255 255 255', '--tw-black': '0 0 0', 'color-scheme': 'light' };
  // Surfaces a step apart: the page (white → slate-900), text on it (black → white).
  const dark: Record<string, string> = { '--tw-white': channels('#111827'), '--tw-black': '0 0 0', 'color-scheme': 'dark' };
  for (const hue of HUES) {
    const scale = palette[hue] as Scale;
    SHADES.forEach((shade, i) => {
      light[variable(hue, shade)] = channels(scale[shade]);
      dark[variable(hue, shade)] = channels(scale[SHADES[SHADES.length - 1 - i]!]);
    });
  }
  return { ':root': light, ':root.dark': dark };
}

/**
 * Messages: every string the UI shows, in English and Simplified Chinese side by side, so a missing translation is a
 * type error and a reviewer reads both at once. Each area keeps its own catalog (`*.messages.ts`) and translator, so
 * the lazily loaded editor brings its strings with it.
 *
 * A message may hold `{name}` (a parameter; numbers are written for the locale, 1,234) and
 * `{count, plural, one {# device} other {# devices}}` (English plural forms; `#` is the number). Chinese has no
 * plural forms, so its messages write the number once.
 */
import { currentLocale, type Locale } from './locale.ts';

/** One message in both languages. */
export interface Message {
  en: string;
  zh: string;
}

export type Params = Record<string, string | number | null | undefined>;

/** A translator: a message of its catalog by key, in the current locale, with its parameters filled in. */
export type Translate<K extends string> = (key: K, params?: Params) => string;

/** The translator of one catalog (`const t = translator({...})`); keys are checked against the catalog. */
export function translator<const M extends Record<string, Message>>(catalog: M): Translate<keyof M & string> & { catalog: M } {
  const t = (key: keyof M & string, params?: Params) => {
    const message = catalog[key];
    // An unknown key comes only from a cast: show it, so it is seen and fixed, rather than a blank.
    if (!message) return String(key);
    return formatMessage(currentLocale() === 'zh-CN' ? message.zh : message.en, params, currentLocale());
  };
  return Object.assign(t, { catalog });
}

const numberFormats = new Map<Locale, Intl.NumberFormat>();
const pluralRules = new Map<Locale, Intl.PluralRules>();

/** A number as the locale writes it (1,234.5). */
export function formatNumber(value: number, locale: Locale = currentLocale()): string {
  let format = numberFormats.get(locale);
  if (!format) numberFormats.set(locale, (format = new Intl.NumberFormat(locale, { maximumFractionDigits: 20 })));
  return format.format(value);
}

function paramText(value: Params[string], locale: Locale): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'number' ? formatNumber(value, locale) : value;
}

/** Fills `{name}` and `{n, plural, …}` in `text`; a parameter that is not given stays as it is written. */
export function formatMessage(text: string, params: Params | undefined, locale: Locale): string {
  if (!params || !text.includes('{')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{', i);
    if (open < 0) break;
    out += text.slice(i, open);
    const close = matchingBrace(text, open);
    if (close < 0) break;
    out += placeholder(text.slice(open + 1, close), params, locale) ?? text.slice(open, close + 1);
    i = close + 1;
  }
  return out + text.slice(i);
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function placeholder(body: string, params: Params, locale: Locale): string | undefined {
  const comma = body.indexOf(',');
  if (comma < 0) {
    const name = body.trim();
    return name in params ? paramText(params[name], locale) : undefined;
  }
  const name = body.slice(0, comma).trim();
  const rest = body.slice(comma + 1);
  const kind = rest.slice(0, rest.indexOf(',')).trim();
  if (kind !== 'plural' || !(name in params)) return undefined;
  const count = Number(params[name]);
  const forms = pluralForms(rest.slice(rest.indexOf(',') + 1));
  let rules = pluralRules.get(locale);
  if (!rules) pluralRules.set(locale, (rules = new Intl.PluralRules(locale)));
  const form = forms.get(`=${count}`) ?? forms.get(rules.select(count)) ?? forms.get('other') ?? '';
  return formatMessage(form.replaceAll('#', formatNumber(count, locale)), params, locale);
}

/** `one {# device} other {# devices}` as its forms. */
function pluralForms(text: string): Map<string, string> {
  const forms = new Map<string, string>();
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{', i);
    if (open < 0) break;
    const close = matchingBrace(text, open);
    if (close < 0) break;
    forms.set(text.slice(i, open).trim(), text.slice(open + 1, close));
    i = close + 1;
  }
  return forms;
}

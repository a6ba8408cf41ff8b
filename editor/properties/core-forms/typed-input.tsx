/**
 * Node-RED's TypedInput: a value and its type side by side (a `msg.` property, a string, a number, JSON, a
 * timestamp…). The type is a select of the allowed types; the value an input, a choice of the type's options, or
 * nothing for types without a value. What is typed is kept as typed, valid or not: the node's check marks it.
 */
import type { JSX } from 'react';
import { typedValueProblem } from '../../../nodes/kit/typed-values.ts';
import { problemTextIn } from '../../../nodes/i18n/problem-zh.def.ts';
import { currentLocale } from '../../i18n.ts';
import { t } from './core-forms.messages.ts';

/** A text shown to the user: as it is (data, technical tokens), or a function that translates it when drawn. */
export type Label = string | (() => string);

/** The text of a {@link Label} in the current language. */
export const labelText = (label: Label): string => (typeof label === 'function' ? label() : label);

/** A type of its own that a node offers beside the built-in ones (debug's "complete msg object"). */
export interface CustomType {
  value: string;
  label: Label;
  /** False: the type alone is the value (no input shown). Default true. */
  hasValue?: boolean;
  /** The values allowed, shown as a select instead of an input (a long name in `title`, the label short enough for a narrow sidebar). */
  options?: readonly { value: string; label: Label; title?: Label }[];
}

/** A built-in type name (`msg`, `str`, `num`, … see `TYPED_VALUE_TYPES`) or a custom type. */
export type TypeSpec = string | CustomType;

/** How each built-in type shows in the type select; the prefix is shown before the value as Node-RED does. */
const BUILT_IN: Readonly<Record<string, CustomType & { prefix?: string; placeholder?: Label }>> = {
  msg: { value: 'msg', label: 'msg.', prefix: 'msg.', placeholder: 'payload' },
  flow: { value: 'flow', label: 'flow.', prefix: 'flow.' },
  global: { value: 'global', label: 'global.', prefix: 'global.' },
  str: { value: 'str', label: () => t('type.str') },
  num: { value: 'num', label: () => t('type.num'), placeholder: '0' },
  bool: { value: 'bool', label: () => t('type.bool'), options: [{ value: 'true', label: 'true' }, { value: 'false', label: 'false' }] },
  json: { value: 'json', label: 'JSON', placeholder: '{"key": "value"}' },
  bin: { value: 'bin', label: () => t('type.bin'), placeholder: '[1, 2, 255]' },
  re: { value: 're', label: () => t('type.re'), placeholder: '^abc' },
  date: {
    value: 'date',
    label: () => t('type.date'),
    options: [
      { value: '', label: () => t('type.date.ms'), title: () => t('type.date.msTitle') },
      { value: 'iso', label: 'ISO 8601', title: 'YYYY-MM-DDTHH:mm:ss.sssZ' },
      { value: 'object', label: () => t('type.date.object'), title: () => t('type.date.objectTitle') },
    ],
  },
  jsonata: { value: 'jsonata', label: () => t('type.jsonata'), placeholder: () => t('type.jsonata.placeholder') },
  env: { value: 'env', label: () => t('type.env'), placeholder: 'NAME' },
  node: { value: 'node', label: () => t('type.node'), options: [{ value: 'id', label: 'id' }, { value: 'name', label: 'name' }, { value: 'path', label: 'path' }] },
  cred: { value: 'cred', label: () => t('type.cred') },
};

/** The full description of a type spec; an unknown built-in name becomes a plain text type of that name. */
export function typeOf(spec: TypeSpec): CustomType & { prefix?: string; placeholder?: Label } {
  if (typeof spec !== 'string') return spec;
  return BUILT_IN[spec] ?? { value: spec, label: spec };
}

export interface TypedInputProps {
  /** The input's id (a label points at it); the type select gets `${id}-type`. */
  id?: string;
  /** Accessible name of the value (the type select is "`label` type"). */
  label: string;
  value: string;
  type: string;
  types: readonly TypeSpec[];
  /** `ongoing` while typing: the store joins keystrokes into one undo step, ended by `onCommit`. */
  onChange(value: string, type: string, ongoing: boolean): void;
  onCommit?(): void;
  /** A problem found elsewhere (the node's check); without one, the value is checked here as typed. */
  problem?: string | null;
  placeholder?: string;
  disabled?: boolean;
  className?: string;
}

const titleOf = (title: Label | undefined) => (title === undefined ? undefined : labelText(title));

const control = 'rounded border text-sm focus:outline-none focus:ring-1 focus:ring-sky-500';

/** One typed value: type select + value. */
export function TypedInput({ id, label, value, type, types, onChange, onCommit, problem, placeholder, disabled = false, className = '' }: TypedInputProps): JSX.Element {
  const specs = types.map(typeOf);
  const current = specs.find((s) => s.value === type);
  const shown = current ?? { value: type, label: type || t('typed.noType') };
  const own = problem === undefined && current?.hasValue !== false ? typedValueProblem(type, value) : null;
  const found = problem === undefined ? (own === null ? null : problemTextIn(own, currentLocale())) : problem;
  const invalid = found !== null && found !== undefined;
  const border = invalid ? 'border-red-500' : 'border-slate-300';
  const changeType = (next: string) => {
    const spec = specs.find((s) => s.value === next);
    // A type with options starts on its first option; one without a value clears it; else the text is kept.
    const nextValue = spec?.options ? (spec.options.some((o) => o.value === value) ? value : (spec.options[0]?.value ?? '')) : spec?.hasValue === false ? '' : value;
    onChange(nextValue, next, false);
  };
  return (
    // A choice of options too wide to sit beside its type in a narrow sidebar goes onto a line of its own.
    <div className={`flex min-w-0 items-stretch ${shown.options ? 'flex-wrap gap-y-1' : ''} ${className}`} data-typed-input data-type={type} title={invalid ? found ?? undefined : undefined}>
      <select
        id={id ? `${id}-type` : undefined} aria-label={t('typed.typeOf', { label })} disabled={disabled} value={shown.value}
        className={`${control} ${border} max-w-[7.5rem] shrink-0 rounded-r-none border-r-0 bg-slate-50 px-1 py-1 text-xs text-slate-700`}
        onChange={(e) => changeType(e.target.value)}
      >
        {!current && <option value={shown.value}>{labelText(shown.label)}</option>}
        {specs.map((s) => (
          <option key={s.value} value={s.value}>{labelText(s.label)}</option>
        ))}
      </select>
      {shown.options ? (
        <select
          id={id} aria-label={label} disabled={disabled} value={value} aria-invalid={invalid}
          title={titleOf(shown.options.find((o) => o.value === value)?.title)}
          className={`${control} ${border} min-w-[8rem] flex-1 rounded-l-none px-2 py-1`}
          onChange={(e) => onChange(e.target.value, type, false)}
        >
          {!shown.options.some((o) => o.value === value) && <option value={value}>{value}</option>}
          {shown.options.map((o) => (
            <option key={o.value} value={o.value} title={titleOf(o.title)}>{labelText(o.label)}</option>
          ))}
        </select>
      ) : shown.hasValue === false ? (
        <span className={`${control} ${border} flex min-w-0 flex-1 items-center rounded-l-none bg-slate-50 px-2 py-1 text-xs text-slate-500`}>{labelText(shown.label)}</span>
      ) : (
        <input
          id={id} aria-label={label} disabled={disabled} type="text" value={value} aria-invalid={invalid}
          placeholder={placeholder ?? (current?.placeholder === undefined ? undefined : labelText(current.placeholder))}
          className={`${control} ${border} min-w-0 flex-1 rounded-l-none px-2 py-1 ${type === 'str' ? '' : 'font-mono text-xs'}`}
          onChange={(e) => onChange(e.target.value, type, true)} onBlur={onCommit}
        />
      )}
    </div>
  );
}

/**
 * Rows the "function" category's forms need beyond the form kit: a select that is not one property (delay's
 * "Action" sets `pauseType`, `drop` and `outputs` together), a small text input inside a row of several ("from [ ]
 * to [ ]"), and a typed value inside an editable-list row, with the problems the node's check finds there.
 */
import type { JSX, ReactNode } from 'react';
import { inputClass, Row, textOf, useCoreForm, useFieldId, useProblems } from './form-kit.tsx';
import { TypedInput, type TypeSpec } from './typed-input.tsx';

export interface ChoiceOption {
  value: string;
  label: string;
  disabled?: boolean;
  /** An `<optgroup>` label: consecutive options with the same group are grouped. */
  group?: string;
}

function optionsOf(options: readonly ChoiceOption[]): ReactNode[] {
  const out: ReactNode[] = [];
  for (let i = 0; i < options.length; ) {
    const group = options[i]!.group;
    const members: ChoiceOption[] = [];
    while (i < options.length && options[i]!.group === group) members.push(options[i++]!);
    const rendered = members.map((o) => (
      <option key={o.value} value={o.value} disabled={o.disabled}>{o.label}</option>
    ));
    out.push(group ? <optgroup key={`g-${group}`} label={group}>{rendered}</optgroup> : rendered);
  }
  return out;
}

/** A select whose choice the form turns into a patch itself (`onChoose`). */
export function ChoiceSelect({ id, label, value, options, onChoose, width = 'w-full' }: {
  id?: string;
  /** Accessible name when no row label points at it. */
  label?: string;
  value: string;
  options: readonly ChoiceOption[];
  onChoose(value: string): void;
  width?: string;
}): JSX.Element {
  return (
    <select id={id} aria-label={label} value={value} className={inputClass(false, width)} onChange={(e) => onChoose(e.target.value)}>
      {!options.some((o) => o.value === value) && <option value={value}>{value}</option>}
      {optionsOf(options)}
    </select>
  );
}

/** A labelled row holding a {@link ChoiceSelect}. */
export function ChoiceRow({ name, label, icon, value, options, onChoose, hint }: {
  /** Names the element id. */
  name: string;
  label: ReactNode;
  icon?: string;
  value: string;
  options: readonly ChoiceOption[];
  onChoose(value: string): void;
  hint?: ReactNode;
}): JSX.Element {
  const id = useFieldId(name);
  return (
    <Row label={label} icon={icon} htmlFor={id} hint={hint}>
      <ChoiceSelect id={id} value={value} options={options} onChoose={onChoose} />
    </Row>
  );
}

/**
 * A text input for property `prop` inside a row of several; kept as typed (`toStored` may turn the text into the
 * stored value, `fromStored` back). Its problems show red here; the row lists them.
 */
export function InlineText({ prop, label, placeholder, width = 'w-20', toStored, fromStored, disabled = false }: {
  prop: string;
  /** Accessible name. */
  label: string;
  placeholder?: string;
  width?: string;
  toStored?(text: string): unknown;
  fromStored?(value: unknown): string;
  disabled?: boolean;
}): JSX.Element {
  const { node, update, commit } = useCoreForm();
  const id = useFieldId(prop);
  const invalid = useProblems(`/${prop}`).length > 0;
  return (
    <input
      id={id} type="text" aria-label={label} value={fromStored ? fromStored(node[prop]) : textOf(node[prop])} placeholder={placeholder}
      aria-invalid={invalid} disabled={disabled} className={inputClass(invalid, width)}
      onChange={(e) => update({ [prop]: toStored ? toStored(e.target.value) : e.target.value }, true)} onBlur={commit}
    />
  );
}

/** The problems at several properties, for a row that holds several inputs. */
export function useRowProblems(...props: string[]): string[] {
  const { problems, claimed } = useCoreForm();
  for (const prop of props) claimed.add(prop);
  const at = (path: string) => props.some((prop) => path === `/${prop}` || path.startsWith(`/${prop}/`));
  return problems.filter((p) => at(p.path)).map((p) => p.message);
}

/** A typed value inside a list row (`/rules/2/v`): the node's check judges it, not the widget. */
export function ListTypedInput({ path, label, value, type, types, onChange, placeholder, disabled }: {
  /** JSON pointer of the value, for its problems. */
  path: string;
  label: string;
  value: unknown;
  type: string;
  types: readonly TypeSpec[];
  onChange(value: string, type: string, ongoing: boolean): void;
  placeholder?: string;
  disabled?: boolean;
}): JSX.Element {
  const problems = useProblems(path);
  return (
    <TypedInput
      label={label} value={textOf(value)} type={type} types={types} onChange={onChange} placeholder={placeholder} disabled={disabled}
      problem={problems[0] ?? null} className="min-w-0 flex-1"
    />
  );
}

/** A `msg.` property inside a row (a trigger's per-topic property, a filter's topic), disabled when it does not apply. */
export function InlineMsgProperty({ prop, label, disabled = false }: { prop: string; label: string; disabled?: boolean }): JSX.Element {
  const { node, update, commit } = useCoreForm();
  const id = useFieldId(prop);
  const problems = useProblems(`/${prop}`);
  return (
    <TypedInput
      id={id} label={label} value={textOf(node[prop])} type="msg" types={['msg']} disabled={disabled} className="min-w-0 flex-1"
      problem={problems[0] ?? null} onChange={(value, _type, ongoing) => update({ [prop]: value }, ongoing)} onCommit={commit}
    />
  );
}

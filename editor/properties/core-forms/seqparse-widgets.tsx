/**
 * Rows the sequence, parser and storage forms need beyond `form-kit.tsx`: a section heading ("CSV to Object
 * options"), an optional `msg.` property behind a checkbox (split's "Copy key to"), a list of plain texts (batch's
 * topics) and a select with option groups (the file nodes' encodings).
 */
import type { JSX, ReactNode } from 'react';
import { EditableList } from './editable-list.tsx';
import { Row, textOf, useCoreForm, useFieldId, useProblems } from './form-kit.tsx';
import { t } from './core-forms.messages.ts';
import { TypedInput } from './typed-input.tsx';

const selectClass = (invalid: boolean) =>
  `w-full min-w-0 rounded border px-2 py-1 text-sm focus:outline-none focus:ring-1 focus:ring-sky-500 disabled:bg-slate-50 ${invalid ? 'border-red-500' : 'border-slate-300'}`;

/** A heading over a group of rows, as Node-RED's bold form rows ("String / Buffer", "Object to CSV options"). */
export function Section({ title, children }: { title: ReactNode; children?: ReactNode }): JSX.Element {
  return (
    <div className="space-y-2 border-t border-slate-200 pt-2">
      <div className="text-xs font-semibold text-slate-800">{title}</div>
      {children && <div className="space-y-3 pl-2">{children}</div>}
    </div>
  );
}

/**
 * A `msg.` property that is off when empty: a checkbox ("Copy key to") and the property, which is disabled while the
 * box is clear. Ticking it writes `initial` (Node-RED shows `topic`), clearing it writes `""`.
 */
export function OptionalMsgProperty({ prop, label, initial }: { prop: string; label: string; initial: string }): JSX.Element {
  const { node, update, commit, readOnly } = useCoreForm();
  const id = useFieldId(prop);
  const problems = useProblems(`/${prop}`);
  const value = textOf(node[prop]);
  const on = value !== '';
  return (
    <div className="space-y-0.5" data-invalid={problems.length > 0 || undefined}>
      <div className="flex items-center gap-2">
        <label htmlFor={`${id}-on`} className="flex shrink-0 items-center gap-2 text-sm text-slate-800">
          <input id={`${id}-on`} type="checkbox" className="h-4 w-4" checked={on} onChange={(e) => update({ [prop]: e.target.checked ? initial : '' })} />
          {label}
        </label>
        <TypedInput
          id={id} label={label} value={on ? value : initial} type="msg" types={['msg']} disabled={readOnly || !on} className="min-w-0 flex-1"
          problem={problems.length > 0 ? problems[0] : undefined}
          onChange={(next, _type, ongoing) => update({ [prop]: next }, ongoing)} onCommit={commit}
        />
      </div>
      {problems.map((message) => (
        <p key={message} className="text-xs text-red-700">{message}</p>
      ))}
    </div>
  );
}

/** A list of objects with one text property each (`[{topic: ""}]`), as an editable list. */
export function TextListField({ prop, itemKey, label, placeholder }: { prop: string; itemKey: string; label: string; placeholder?: string }): JSX.Element {
  const { node, update, commit, readOnly } = useCoreForm();
  const problems = useProblems(`/${prop}`);
  const items = Array.isArray(node[prop]) ? (node[prop] as Record<string, unknown>[]) : [];
  return (
    <Row label={label} problems={problems}>
      <EditableList
        label={label} items={items} disabled={readOnly} onCommit={commit}
        newItem={() => ({ [itemKey]: '' })}
        onChange={(next, _order, ongoing) => update({ [prop]: next }, ongoing)}
        renderItem={(item, index, set) => (
          <input
            type="text" aria-label={`${label} ${index + 1} ${itemKey}`} value={textOf(item[itemKey])} placeholder={placeholder}
            className="w-full min-w-0 rounded border border-slate-300 px-2 py-1 text-sm focus:outline-none focus:ring-1 focus:ring-sky-500"
            onChange={(e) => set({ ...item, [itemKey]: e.target.value }, true)}
          />
        )}
      />
    </Row>
  );
}

/** A select whose choices come in groups (`<optgroup>`), after some ungrouped ones. A stored value not offered shows as such. */
export function GroupedSelectField({ prop, label, icon, first, groups, groupLabel = (g) => g }: {
  prop: string;
  label: string;
  icon?: string;
  first: readonly { value: string; label: string }[];
  groups: readonly { group: string; encodings: readonly string[] }[];
  /** The shown name of a group (translated), else the group as it is. */
  groupLabel?(group: string): string;
}): JSX.Element {
  const { node, update } = useCoreForm();
  const id = useFieldId(prop);
  const problems = useProblems(`/${prop}`);
  const value = textOf(node[prop]);
  const known = first.some((o) => o.value === value) || groups.some((g) => g.encodings.includes(value));
  return (
    <Row label={label} icon={icon} htmlFor={id} problems={problems}>
      <select id={id} value={value} aria-invalid={problems.length > 0} className={selectClass(problems.length > 0)} onChange={(e) => update({ [prop]: e.target.value })}>
        {!known && <option value={value}>{t('select.notOneOf', { value })}</option>}
        {first.map((o) => (
          <option key={o.value} value={o.value}>{o.label}</option>
        ))}
        {groups.map((g) => (
          <optgroup key={g.group} label={groupLabel(g.group)}>
            {g.encodings.map((e) => (
              <option key={e} value={e}>{e}</option>
            ))}
          </optgroup>
        ))}
      </select>
    </Row>
  );
}

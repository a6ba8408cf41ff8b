/**
 * What the hand-made forms of Node-RED's core nodes are built from: a form reads and writes the node's own
 * properties through the fields here (text, number, checkbox, select, typed value, code, config node, node list),
 * laid out in rows like Node-RED's, each with the problems the node's checks find at its property. A form is a
 * component of the node alone: `coreForms[type]` (`index.ts`) names it, and the properties panel hosts it in a
 * {@link CoreFormHost} that supplies the store, the problems and read-only mode.
 *
 * What a user types is kept as typed, valid or not: the node's definition (`check`, schema) marks what is wrong, on
 * the field, on the canvas and before deploy.
 */
import { createContext, useContext, useMemo, useRef, useState, type JSX, type ReactNode } from 'react';
import { useStore, type StoreApi } from 'zustand';
import type { EditorApi } from '../../editor-api.ts';
import type { NodeRedNode } from '../../model/flow-codec.ts';
import { selectNodeProblems } from '../../model/flow-selectors.ts';
import type { FlowEditorState } from '../../model/flow-store.ts';
import { CodeEditor } from '../code-editor.tsx';
import type { FormField } from '../form-fields.ts';
import { ConfigNodeRefWidget, NodeListWidget } from '../node-ref-fields.tsx';
import { t } from './core-forms.messages.ts';
import { TypedInput, type TypeSpec } from './typed-input.tsx';

/**
 * A core node's form: draws the node's properties with the fields of this module. `save`, like Node-RED's
 * `oneditsave`, gives what an edit writes besides the edited properties (derived or normalised ones), from the node
 * as edited; it runs on every edit, since each edit here is a Node-RED "Done".
 */
export type CoreForm = ((props: { node: NodeRedNode }) => JSX.Element) & {
  save?(node: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>>;
};

interface FormContextValue {
  store: StoreApi<FlowEditorState>;
  node: NodeRedNode;
  readOnly: boolean;
  api: EditorApi;
  /** Unique prefix of this form's element ids. */
  idPrefix: string;
  problems: readonly { path: string; message: string }[];
  /** Properties a field of this render shows (their problems are shown there, not in the summary). */
  claimed: Set<string>;
  update(patch: Readonly<Record<string, unknown>>, ongoing?: boolean): void;
  commit(): void;
  renderConfigEditor(id: string): ReactNode;
}

const FormContext = createContext<FormContextValue | null>(null);

/** The form's node and its edit functions; only inside a {@link CoreFormHost}. */
export function useCoreForm(): FormContextValue {
  const value = useContext(FormContext);
  if (!value) throw new Error('useCoreForm outside a CoreFormHost');
  return value;
}

/**
 * The messages of the problems at `path` (a JSON pointer: `/payload`, `/rules/2/v`) and below it, and claims the
 * top-level property so the summary leaves it out.
 */
export function useProblems(path: string): string[] {
  const { problems, claimed } = useCoreForm();
  const top = path.split('/')[1];
  if (top) claimed.add(top);
  return problems.filter((p) => p.path === path || p.path.startsWith(`${path}/`)).map((p) => p.message);
}

export interface CoreFormHostProps {
  store: StoreApi<FlowEditorState>;
  node: NodeRedNode;
  api: EditorApi;
  readOnly: boolean;
  form: CoreForm;
  depth: number;
  renderConfigEditor(id: string): ReactNode;
}

/** Hosts a core form: its context, a summary of problems no field shows, and read-only mode (every control disabled). */
export function CoreFormHost({ store, node, api, readOnly, form: Form, depth, renderConfigEditor }: CoreFormHostProps): JSX.Element {
  const nodeId = node.id;
  const problems = useStore(store, useMemo(() => selectNodeProblems(nodeId), [nodeId]));
  const ongoingKeys = useRef<string[]>([]);
  const claimed = new Set<string>();
  const context: FormContextValue = {
    store, node, readOnly, api, problems, claimed, renderConfigEditor,
    idPrefix: `core-${depth}-${nodeId}`,
    update(edit, ongoing = false) {
      if (readOnly) return;
      const current = Form.save ? store.getState().document.nodes.find((n) => n.id === nodeId) : undefined;
      const patch = current ? { ...edit, ...Form.save!({ ...current, ...edit }) } : edit;
      ongoingKeys.current = ongoing ? Object.keys(patch) : [];
      store.getState().updateNodeConfig(nodeId, patch, { ongoing });
    },
    commit() {
      const keys = ongoingKeys.current;
      if (keys.length === 0) return;
      ongoingKeys.current = [];
      const current = store.getState().document.nodes.find((n) => n.id === nodeId);
      if (current) store.getState().updateNodeConfig(nodeId, Object.fromEntries(keys.map((k) => [k, current[k]])));
    },
  };
  return (
    <FormContext.Provider value={context}>
      {/* The summary renders after the form (so it knows which problems the fields showed) and shows above it. */}
      <div className="flex flex-col gap-3">
        <form className="space-y-3" onSubmit={(e) => e.preventDefault()} aria-label={t('form.properties', { type: node.type })} data-core-form={node.type}>
          <fieldset disabled={readOnly} className="m-0 min-w-0 space-y-3 border-0 p-0">
            <Form node={node} />
          </fieldset>
        </form>
        <UnclaimedProblems problems={problems} claimed={claimed} />
      </div>
    </FormContext.Provider>
  );
}

/** The problems no field of the form showed (rendered after the form's fields, drawn above them). */
function UnclaimedProblems({ problems, claimed }: { problems: readonly { path: string; message: string }[]; claimed: ReadonlySet<string> }) {
  const messages = [...new Set(problems.filter((p) => !claimed.has(p.path.split('/')[1] ?? '')).map((p) => p.message))];
  if (messages.length === 0) return null;
  return (
    <ul role="alert" aria-label={t('form.problems')} className="order-first list-disc rounded bg-red-50 py-1.5 pr-2 pl-6 text-xs text-red-800">
      {messages.map((message) => (
        <li key={message}>{message}</li>
      ))}
    </ul>
  );
}

/** The classes of a text input or select of a form (red border when invalid). */
export const inputClass = (invalid: boolean, extra = '') =>
  `min-w-0 rounded border px-2 py-1 text-sm focus:outline-none focus:ring-1 focus:ring-sky-500 disabled:bg-slate-50 disabled:text-slate-600 ${invalid ? 'border-red-500' : 'border-slate-300'} ${extra}`;

/** An element id for property `prop` of this form. */
export function useFieldId(prop: string): string {
  return `${useCoreForm().idPrefix}-${prop.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

export interface RowProps {
  /** The label; an input's accessible name comes from it through `htmlFor`. */
  label: ReactNode;
  /** A Font Awesome 4 icon before the label (`fa-tag`), as Node-RED's form rows have. */
  icon?: string;
  htmlFor?: string;
  /** Problems shown under the row. */
  problems?: readonly string[];
  /** A line of explanation under the control. */
  hint?: ReactNode;
  children: ReactNode;
}

/** A form row: label (with icon), the control, a hint and the problems at it. */
export function Row({ label, icon, htmlFor, problems = [], hint, children }: RowProps): JSX.Element {
  const caption = (
    <>
      {icon && <i aria-hidden className={`fa ${icon} mr-1.5 w-3.5 text-center text-slate-400`} />}
      {label}
    </>
  );
  return (
    <div data-invalid={problems.length > 0 || undefined} className="space-y-0.5">
      {htmlFor ? (
        <label htmlFor={htmlFor} className="block text-xs font-medium text-slate-700">{caption}</label>
      ) : (
        <div className="text-xs font-medium text-slate-700">{caption}</div>
      )}
      {children}
      {hint && <p className="text-xs text-slate-500">{hint}</p>}
      {problems.length > 0 && (
        <div className="space-y-0.5 text-xs text-red-700">
          {problems.map((message) => (
            <p key={message}>{message}</p>
          ))}
        </div>
      )}
    </div>
  );
}

/** A line of explanation inside a form. */
export function Hint({ children }: { children: ReactNode }): JSX.Element {
  return <p className="text-xs text-slate-500">{children}</p>;
}

/** The text of a stored value: strings as they are, numbers and booleans written out, nothing as `fallback`. */
export function textOf(value: unknown, fallback = ''): string {
  return value === undefined || value === null ? fallback : typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

interface FieldProps {
  /** The node property it edits. */
  prop: string;
  label: ReactNode;
  icon?: string;
  hint?: ReactNode;
}

/** A line of text. */
export function TextField({ prop, label, icon, hint, placeholder, mono = false }: FieldProps & { placeholder?: string; mono?: boolean }): JSX.Element {
  const { node, update, commit } = useCoreForm();
  const id = useFieldId(prop);
  const problems = useProblems(`/${prop}`);
  return (
    <Row label={label} icon={icon} htmlFor={id} problems={problems} hint={hint}>
      <input
        id={id} type="text" value={textOf(node[prop])} placeholder={placeholder} aria-invalid={problems.length > 0}
        className={inputClass(problems.length > 0, `w-full ${mono ? 'font-mono text-xs' : ''}`)}
        onChange={(e) => update({ [prop]: e.target.value }, true)} onBlur={commit}
      />
    </Row>
  );
}

/** The node's name (Node-RED's first row of nearly every form). */
export function NameRow({ placeholder }: { placeholder?: string }): JSX.Element {
  return <TextField prop="name" label={t('name')} icon="fa-tag" placeholder={placeholder ?? t('name')} />;
}

/**
 * A number, kept as typed: `store: 'number'` stores a number once the text is one (Node-RED's numeric defaults),
 * `'text'` (the default) the text itself (most core nodes keep numbers as strings). Text that is not a number stays
 * in the node and is marked by the node's check.
 */
export function NumberField({
  prop, label, icon, hint, placeholder, min, max, step, suffix, store = 'text', width = 'w-24',
}: FieldProps & { placeholder?: string; min?: number; max?: number; step?: number; suffix?: ReactNode; store?: 'text' | 'number'; width?: string }): JSX.Element {
  const { node, update, commit } = useCoreForm();
  const id = useFieldId(prop);
  const problems = useProblems(`/${prop}`);
  return (
    <Row label={label} icon={icon} htmlFor={id} problems={problems} hint={hint}>
      <span className="flex items-center gap-2">
        <input
          id={id} type="text" inputMode="decimal" value={textOf(node[prop])} placeholder={placeholder} aria-invalid={problems.length > 0}
          data-min={min} data-max={max} data-step={step}
          className={inputClass(problems.length > 0, width)}
          onChange={(e) => {
            const text = e.target.value;
            const number = text.trim() === '' ? NaN : Number(text);
            update({ [prop]: store === 'number' && Number.isFinite(number) ? number : text }, true);
          }}
          onBlur={commit}
        />
        {suffix && <span className="text-xs text-slate-600">{suffix}</span>}
      </span>
    </Row>
  );
}

/** A checkbox; `as: 'string'` stores `"true"`/`"false"` as some Node-RED nodes do. */
export function CheckboxField({ prop, label, hint, as = 'boolean' }: FieldProps & { as?: 'boolean' | 'string' }): JSX.Element {
  const { node, update } = useCoreForm();
  const id = useFieldId(prop);
  const problems = useProblems(`/${prop}`);
  const checked = node[prop] === true || node[prop] === 'true';
  return (
    <div className="space-y-0.5" data-invalid={problems.length > 0 || undefined}>
      <label htmlFor={id} className="flex items-center gap-2 text-sm text-slate-800">
        <input id={id} type="checkbox" className="h-4 w-4" checked={checked} onChange={(e) => update({ [prop]: as === 'string' ? String(e.target.checked) : e.target.checked })} />
        {label}
      </label>
      {hint && <p className="pl-6 text-xs text-slate-500">{hint}</p>}
      {problems.map((message) => (
        <p key={message} className="pl-6 text-xs text-red-700">{message}</p>
      ))}
    </div>
  );
}

/** One of the choices a select offers; `value` is stored as it is (a string, number or boolean). */
export interface Choice {
  value: string | number | boolean;
  label: string;
}

/** A select of fixed choices. A stored value that is not one of them is shown as such, never replaced silently. */
export function SelectField({ prop, label, icon, hint, options, onSelect, width = 'w-full' }: FieldProps & {
  options: readonly Choice[];
  /** Instead of storing the choice: a patch of its own (a choice that sets several properties). */
  onSelect?(value: Choice['value']): Readonly<Record<string, unknown>>;
  width?: string;
}): JSX.Element {
  const { node, update } = useCoreForm();
  const id = useFieldId(prop);
  const problems = useProblems(`/${prop}`);
  const current = node[prop];
  const index = options.findIndex((o) => o.value === current || String(o.value) === textOf(current));
  return (
    <Row label={label} icon={icon} htmlFor={id} problems={problems} hint={hint}>
      <select
        id={id} value={index === -1 ? 'other' : String(index)} aria-invalid={problems.length > 0} className={inputClass(problems.length > 0, width)}
        onChange={(e) => {
          const choice = options[Number(e.target.value)];
          if (choice) update(onSelect ? onSelect(choice.value) : { [prop]: choice.value });
        }}
      >
        {index === -1 && <option value="other">{current === undefined ? t('select.notSet') : t('select.notOneOf', { value: textOf(current) })}</option>}
        {options.map((o, i) => (
          <option key={i} value={String(i)}>{o.label}</option>
        ))}
      </select>
    </Row>
  );
}

/** A typed value: the value in `prop`, its type in `typeProp` (`defaultType` when the node has none). */
export function TypedField({ prop, typeProp, label, icon, hint, types, defaultType, placeholder }: FieldProps & {
  typeProp: string;
  types: readonly TypeSpec[];
  defaultType?: string;
  placeholder?: string;
}): JSX.Element {
  const { node, update, commit } = useCoreForm();
  const id = useFieldId(prop);
  const problems = useProblems(`/${prop}`);
  const typeProblems = useProblems(`/${typeProp}`);
  const type = textOf(node[typeProp], defaultType ?? (typeof types[0] === 'string' ? types[0] : (types[0]?.value ?? 'str')));
  const all = [...problems, ...typeProblems];
  return (
    <Row label={label} icon={icon} htmlFor={id} problems={all} hint={hint}>
      <TypedInput
        id={id} label={typeof label === 'string' ? label : prop} value={textOf(node[prop])} type={type} types={types} placeholder={placeholder}
        problem={all.length > 0 ? all[0] : undefined}
        onChange={(value, nextType, ongoing) => update(nextType === type ? { [prop]: value } : { [prop]: value, [typeProp]: nextType }, ongoing)}
        onCommit={commit}
      />
    </Row>
  );
}

/** A `msg.` property (Node-RED's typedInput limited to the msg type): the path alone is stored. */
export function MsgPropertyField({ prop, label, icon, hint, placeholder = 'payload' }: FieldProps & { placeholder?: string }): JSX.Element {
  const { node, update, commit } = useCoreForm();
  const id = useFieldId(prop);
  const problems = useProblems(`/${prop}`);
  return (
    <Row label={label} icon={icon} htmlFor={id} problems={problems} hint={hint}>
      <TypedInput
        id={id} label={typeof label === 'string' ? label : prop} value={textOf(node[prop])} type="msg" types={['msg']} placeholder={placeholder}
        problem={problems.length > 0 ? problems[0] : undefined}
        onChange={(value, _type, ongoing) => update({ [prop]: value }, ongoing)} onCommit={commit}
      />
    </Row>
  );
}

/** Code in CodeMirror (`language`: javascript, json, html, markdown, text…). */
export function CodeField({ prop, label, icon, hint, language }: FieldProps & { language: string }): JSX.Element {
  const { node, update, commit, readOnly } = useCoreForm();
  const id = useFieldId(prop);
  const problems = useProblems(`/${prop}`);
  return (
    <Row label={label} icon={icon} htmlFor={id} problems={problems} hint={hint}>
      <CodeEditor
        id={id} label={typeof label === 'string' ? label : prop} language={language} value={textOf(node[prop])} invalid={problems.length > 0} readOnly={readOnly}
        onChange={(value) => update({ [prop]: value }, true)} onBlur={commit}
      />
    </Row>
  );
}

/** A field as the schema-driven widgets take it, for the reference widgets reused here. */
function widgetField(prop: string, title: string, nodeRef: string, extra: Partial<FormField> = {}): FormField {
  return { name: prop, title, widget: 'node-ref', source: 'config', nodeRef, required: false, hasDefault: true, blankAllowed: true, ...extra } as FormField;
}

/** A config node of `type` (broker, TLS settings…): pick one in the flows, add one, edit it in place. */
export function ConfigNodeField({ prop, type, label, icon, hint }: FieldProps & { type: string }): JSX.Element {
  const { node, update, store, renderConfigEditor } = useCoreForm();
  const id = useFieldId(prop);
  const problems = useProblems(`/${prop}`);
  const z = typeof node['z'] === 'string' ? node['z'] : undefined;
  return (
    <Row label={label} icon={icon} htmlFor={id} problems={problems} hint={hint}>
      <ConfigNodeRefWidget
        field={widgetField(prop, typeof label === 'string' ? label : prop, type)} id={id} value={node[prop]} invalid={problems.length > 0}
        onChange={(value) => update({ [prop]: value ?? '' })} onCommit={() => undefined} onLocalError={() => undefined}
        store={store} nodeZ={z} renderEditor={renderConfigEditor}
      />
    </Row>
  );
}

/**
 * A list of other nodes by id (link targets, a catch node's scope), as checkboxes; `type` limits them to one type
 * (any type on the node's own flow otherwise); `modes` are the non-list values offered first (`null`: all nodes).
 */
export function NodeListField({ prop, type = '*', label, icon, hint, modes }: FieldProps & { type?: string; modes?: readonly { value: unknown; label: string }[] }): JSX.Element {
  const { node, update, store } = useCoreForm();
  const id = useFieldId(prop);
  const problems = useProblems(`/${prop}`);
  const z = typeof node['z'] === 'string' ? node['z'] : undefined;
  return (
    <Row label={label} icon={icon} problems={problems} hint={hint}>
      <NodeListWidget
        field={widgetField(prop, typeof label === 'string' ? label : prop, type, { widget: 'node-refs', ...(modes ? { refModes: modes.map((m) => ({ value: m.value as never, label: m.label })) } : {}) })}
        id={id} value={node[prop]} invalid={problems.length > 0}
        onChange={(value) => update({ [prop]: value })} onCommit={() => undefined} onLocalError={() => undefined}
        store={store} nodeId={node.id} nodeZ={z}
      />
    </Row>
  );
}

/** Tabs inside a form (function: Setup, On Start, On Message, On Stop); `initial` (default the first) is open. */
export function FormTabs({ tabs, initial }: { tabs: readonly { id: string; label: string; content: ReactNode }[]; initial?: string }): JSX.Element {
  const [open, setOpen] = useState(initial ?? tabs[0]?.id ?? '');
  const { idPrefix } = useCoreForm();
  return (
    <div>
      <div role="tablist" className="flex gap-0.5 overflow-x-auto border-b border-slate-200">
        {tabs.map((tab) => (
          <button
            key={tab.id} type="button" role="tab" id={`${idPrefix}-tab-${tab.id}`} aria-selected={open === tab.id} aria-controls={`${idPrefix}-panel-${tab.id}`}
            className={`-mb-px whitespace-nowrap rounded-t border px-2 py-1 text-xs font-medium ${open === tab.id ? 'border-slate-200 border-b-white bg-white text-slate-900' : 'border-transparent text-slate-500 hover:text-slate-800'}`}
            onClick={() => setOpen(tab.id)}
          >
            {tab.label}
          </button>
        ))}
      </div>
      {tabs.map((tab) => (
        <div key={tab.id} role="tabpanel" id={`${idPrefix}-panel-${tab.id}`} aria-labelledby={`${idPrefix}-tab-${tab.id}`} hidden={open !== tab.id} className="space-y-3 pt-3">
          {open === tab.id && tab.content}
        </div>
      ))}
    </div>
  );
}

/**
 * The plain widgets of the properties form: text, textarea, number (checked as typed), checkbox, select,
 * checkboxes for an array of choices, a key/value list, JSON text, and the inputs of credentials (a password, a JSON
 * object), which never show what is stored.
 * Each reports edits as `onChange(value, ongoing)`: `ongoing` while typing, so the store joins keystrokes into one
 * undo step, which `onCommit` (leaving the field) ends.
 */
import { useState } from 'react';
import type { FieldChoice } from '../../nodes/kit/schema-fields.ts';
import { CodeEditor } from './code-editor.tsx';
import { jsonFieldText, numberFieldValue, parseSecretJsonInput, type FormField } from './form-fields.ts';
import { t } from './properties.messages.ts';
import { tc } from '../i18n.ts';

export interface WidgetProps<T = unknown> {
  field: FormField;
  /** The input's id (the label points at it). */
  id: string;
  /** The stored value (`undefined`: not set, the default applies). */
  value: T | undefined;
  invalid: boolean;
  /** Ids of the field's description and error messages. */
  describedBy?: string;
  onChange(value: unknown, ongoing: boolean): void;
  onCommit(): void;
  /**
   * Reports a problem found while typing, in the words of the widget (text that is not a number, bad JSON): what was
   * typed still reaches the node, where the validator marks it.
   */
  onLocalError(message: string | null): void;
}

const inputClass = (invalid: boolean) => `w-full rounded border px-2 py-1 text-sm ${invalid ? 'border-red-500' : 'border-slate-300'}`;

export function TextWidget({ field, id, value, invalid, describedBy, onChange, onCommit }: WidgetProps) {
  const text = typeof value === 'string' ? value : value === undefined ? stringDefault(field) : String(value);
  return (
    <input
      id={id} type="text" className={inputClass(invalid)} value={text} aria-invalid={invalid} aria-describedby={describedBy}
      onChange={(e) => onChange(e.target.value, true)} onBlur={onCommit}
    />
  );
}

export function TextareaWidget({ field, id, value, invalid, describedBy, onChange, onCommit }: WidgetProps) {
  const text = typeof value === 'string' ? value : value === undefined ? stringDefault(field) : String(value);
  return (
    <textarea
      id={id} rows={5} className={`${inputClass(invalid)} font-mono text-xs`} value={text} aria-invalid={invalid} aria-describedby={describedBy}
      onChange={(e) => onChange(e.target.value, true)} onBlur={onCommit}
    />
  );
}

export function NumberWidget({ field, id, value, invalid, describedBy, onChange, onCommit, onLocalError }: WidgetProps) {
  const stored = value === undefined ? field.default : value;
  const storedText = stored === undefined || stored === null ? '' : String(stored);
  // The text as typed ("1.", "-", "12a") while the node holds what it means; the stored value shows once it changes
  // otherwise (undo, another panel).
  const [draft, setDraft] = useState<{ text: string; stored: unknown } | null>(null);
  return (
    <input
      id={id} type="text" inputMode="decimal" autoComplete="off" className={inputClass(invalid)}
      value={draft !== null && Object.is(draft.stored, stored) ? draft.text : storedText}
      aria-invalid={invalid} aria-describedby={describedBy}
      onChange={(e) => {
        const next = numberFieldValue(field, e.target.value);
        onLocalError(next.message);
        setDraft({ text: e.target.value, stored: next.value });
        onChange(next.value, true);
      }}
      onBlur={onCommit}
    />
  );
}

export function CheckboxWidget({ field, id, value, describedBy, onChange }: WidgetProps) {
  const current = value === undefined ? field.default : value;
  // Node-RED stores some flags as the strings "true"/"false".
  const checked = current === true || current === 'true';
  return (
    <input id={id} type="checkbox" className="h-4 w-4" checked={checked} aria-describedby={describedBy} onChange={(e) => onChange(e.target.checked, false)} />
  );
}

export function SelectWidget({ field, id, value, invalid, describedBy, onChange }: WidgetProps) {
  const choices = field.choices ?? [];
  const current = value === undefined ? field.default : value;
  const index = choices.findIndex((choice) => choice.value === current);
  return (
    <select
      id={id} className={inputClass(invalid)} value={index === -1 ? 'other' : String(index)} aria-invalid={invalid} aria-describedby={describedBy}
      onChange={(e) => {
        const choice = choices[Number(e.target.value)];
        if (choice) onChange(choice.value, false);
      }}
    >
      {index === -1 && <option value="other">{current === undefined ? t('widget.notSet') : t('widget.notAllowed', { value: JSON.stringify(current) })}</option>}
      {choices.map((choice, i) => (
        <option key={i} value={String(i)}>
          {choiceLabel(choice)}
        </option>
      ))}
    </select>
  );
}

export function MultiSelectWidget({ field, id, value, describedBy, onChange }: WidgetProps) {
  const current = Array.isArray(value) ? value : Array.isArray(field.default) ? field.default : [];
  const choices = field.itemChoices ?? [];
  return (
    <fieldset id={id} aria-describedby={describedBy} className="flex flex-wrap gap-x-3 gap-y-1">
      <legend className="sr-only">{field.title}</legend>
      {choices.map((choice, i) => (
        <label key={i} className="flex items-center gap-1 text-sm">
          <input
            type="checkbox" checked={current.includes(choice.value)}
            onChange={(e) => {
              const next = e.target.checked ? [...current, choice.value] : current.filter((v) => v !== choice.value);
              // Keep the choices' order, so the stored list does not depend on the order of clicks.
              onChange(choices.map((c) => c.value).filter((v) => next.includes(v)), false);
            }}
          />
          {choiceLabel(choice)}
        </label>
      ))}
    </fieldset>
  );
}

type Row = { key: string; value: string };

export function KeyValueWidget({ field, id, value, describedBy, onChange, onCommit, onLocalError }: WidgetProps) {
  const stored = recordOf(value === undefined ? field.default : value);
  const [rows, setRows] = useState<Row[]>(() => rowsOf(stored));
  // Follow the store (undo, another panel) when it no longer matches what is being edited. Keyed by the stored
  // record's content: a new but equal object from the store changes nothing.
  const storedJson = JSON.stringify(stored);
  const [rowsFrom, setRowsFrom] = useState(storedJson);
  if (rowsFrom !== storedJson) {
    setRowsFrom(storedJson);
    if (!sameRecord(recordFromRows(rows).record, stored)) setRows(rowsOf(stored));
  }
  const update = (next: Row[], ongoing: boolean) => {
    setRows(next);
    const { record, duplicate } = recordFromRows(next);
    onLocalError(duplicate ? t('widget.listedTwice', { key: duplicate }) : null);
    onChange(record, ongoing);
  };
  return (
    <div id={id} aria-describedby={describedBy} className="space-y-1">
      {rows.map((row, i) => (
        <div key={i} className="flex gap-1">
          <input
            aria-label={t('widget.rowName', { field: field.title, n: i + 1 })} className={`${inputClass(false)} w-2/5`} placeholder={t('widget.name')} value={row.key}
            onChange={(e) => update(rows.map((r, j) => (j === i ? { ...r, key: e.target.value } : r)), true)} onBlur={onCommit}
          />
          <input
            aria-label={t('widget.rowValue', { field: field.title, n: i + 1 })} className={inputClass(false)} placeholder={t('widget.value')} value={row.value}
            onChange={(e) => update(rows.map((r, j) => (j === i ? { ...r, value: e.target.value } : r)), true)} onBlur={onCommit}
          />
          <button type="button" aria-label={t('widget.removeRow', { field: field.title, n: i + 1 })} className="rounded border border-slate-300 px-2 text-slate-600 hover:bg-slate-100" onClick={() => update(rows.filter((_, j) => j !== i), false)}>
            ×
          </button>
        </div>
      ))}
      <button type="button" className="rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-100" onClick={() => setRows([...rows, { key: '', value: '' }])}>
        {tc('add')}
      </button>
    </div>
  );
}

/**
 * JSON in a code editor; `readOnly` (a locked node, a user who cannot change flows) shows it without editing. Text
 * that does not parse is kept in the node as typed (the validator marks it), never thrown away.
 */
export function JsonWidget({ field, id, value, invalid, describedBy, onChange, onCommit, onLocalError, readOnly = false }: WidgetProps & { readOnly?: boolean }) {
  const stored = value === undefined ? field.default : value;
  const storedText = jsonFieldText(stored);
  // The text being typed, until the stored value changes.
  const [draft, setDraft] = useState<string | null>(null);
  const [draftOf, setDraftOf] = useState(storedText);
  if (draftOf !== storedText) {
    setDraftOf(storedText);
    setDraft(null);
  }
  return (
    <CodeEditor
      id={id} label={field.title} language="json" value={draft ?? storedText} invalid={invalid} describedBy={describedBy} readOnly={readOnly}
      onBlur={onCommit}
      onChange={(text) => {
        setDraft(text);
        try {
          const parsed: unknown = JSON.parse(text);
          onLocalError(null);
          onChange(parsed, true);
        } catch (err) {
          onLocalError(t('widget.invalidJson', { reason: err instanceof Error ? err.message : String(err) }));
          onChange(text, true);
        }
      }}
    />
  );
}

/** A password credential: never shown, never prefilled; empty keeps what is stored. */
export function SecretWidget({ id, invalid, describedBy, onChange, onCommit }: WidgetProps) {
  const [text, setText] = useState('');
  return (
    <input
      id={id} type="password" autoComplete="new-password" className={inputClass(invalid)} value={text} placeholder={t('widget.unchanged')}
      aria-invalid={invalid} aria-describedby={describedBy}
      onChange={(e) => {
        setText(e.target.value);
        onChange(e.target.value === '' ? undefined : e.target.value, true);
      }}
      onBlur={onCommit}
    />
  );
}

/**
 * A credential that is a JSON object (a notify node's headers): never shown, never prefilled; empty keeps what is
 * stored. What is typed is stored once it is a JSON object; until then the error says why and nothing changes.
 */
export function SecretJsonWidget({ field, id, value, invalid, describedBy, onChange, onCommit, onLocalError }: WidgetProps) {
  // Text that is not a JSON object is kept in the node as typed, so the node is marked and the text is back when it is
  // selected again; a valid object typed is never shown again, as a password is not.
  const [text, setText] = useState(() => (typeof value === 'string' ? value : ''));
  return (
    <textarea
      id={id} rows={4} className={`${inputClass(invalid)} font-mono text-xs`} value={text} placeholder={t('widget.unchanged')}
      autoComplete="off" spellCheck={false} aria-invalid={invalid} aria-describedby={describedBy}
      onChange={(e) => {
        setText(e.target.value);
        const parsed = parseSecretJsonInput(field, e.target.value);
        onLocalError(parsed.ok ? null : parsed.message);
        onChange(parsed.ok ? parsed.value : e.target.value, true);
      }}
      onBlur={onCommit}
    />
  );
}

export function choiceLabel(choice: FieldChoice): string {
  if (choice.value === '' && choice.label === '') return t('widget.empty');
  return choice.label;
}

function stringDefault(field: FormField): string {
  return typeof field.default === 'string' ? field.default : field.default === undefined || field.default === null ? '' : String(field.default);
}

function recordOf(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}

function rowsOf(record: Record<string, string>): Row[] {
  return Object.entries(record).map(([key, value]) => ({ key, value }));
}

function recordFromRows(rows: Row[]): { record: Record<string, string>; duplicate?: string } {
  const record: Record<string, string> = {};
  let duplicate: string | undefined;
  for (const row of rows) {
    if (row.key === '') continue;
    if (Object.hasOwn(record, row.key)) duplicate = row.key;
    // A defined property, so a `__proto__` name stays a name.
    Object.defineProperty(record, row.key, { value: row.value, enumerable: true, writable: true, configurable: true });
  }
  return duplicate === undefined ? { record } : { record, duplicate };
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

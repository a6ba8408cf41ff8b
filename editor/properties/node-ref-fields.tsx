/**
 * Fields that refer to other nodes of the flows (`x-node-ref`): a config node of a type (broker, listener…), picked
 * from those in the flows or added on the spot and edited in place; or a list of nodes (link targets, catch scope).
 */
import { useMemo, type ReactNode } from 'react';
import { useStore, type StoreApi } from 'zustand';
import type { FlowEditorState } from '../model/flow-store.ts';
import { selectConfigNodes } from '../model/flow-selectors.ts';
import { kindOf, labelOf } from '../model/node-catalog.ts';
import type { WidgetProps } from './field-widgets.tsx';
import { t } from './properties.messages.ts';

const ADD_NEW = '\u0000add-new';
const inputClass = (invalid: boolean) => `w-full rounded border px-2 py-1 text-sm ${invalid ? 'border-red-500' : 'border-slate-300'}`;

/** One config node of the referenced type, or none; "add new" creates one and refers to it. */
export function ConfigNodeRefWidget({
  field,
  id,
  value,
  invalid,
  describedBy,
  onChange,
  store,
  nodeZ,
  renderEditor,
}: WidgetProps & { store: StoreApi<FlowEditorState>; nodeZ: string | undefined; renderEditor(id: string): ReactNode }) {
  const configs = useStore(store, selectConfigNodes);
  const type = field.nodeRef ?? '*';
  // Node-RED offers the global config nodes and those scoped to the node's own flow.
  const candidates = configs.filter((c) => (type === '*' || c.type === type) && (c.scope === undefined || c.scope === nodeZ));
  const current = typeof value === 'string' ? value : '';
  const known = candidates.some((c) => c.id === current);
  const definitionKnown = store.getState().catalog.definition(type) !== undefined;
  return (
    <div className="space-y-1">
      <select
        id={id} className={inputClass(invalid)} value={current} aria-invalid={invalid} aria-describedby={describedBy}
        onChange={(e) => {
          if (e.target.value === ADD_NEW) {
            const created = store.getState().addNode(type);
            onChange(created, false);
          } else {
            onChange(e.target.value === '' ? (field.required && !field.hasDefault ? '' : undefined) : e.target.value, false);
          }
        }}
      >
        <option value="">{t('ref.none')}</option>
        {current !== '' && !known && <option value={current}>{t('ref.missing', { id: current })}</option>}
        {candidates.map((c) => (
          <option key={c.id} value={c.id}>
            {c.label}
            {c.users.length > 0 ? t('ref.usedBy', { count: c.users.length }) : ''}
          </option>
        ))}
        {type !== '*' && definitionKnown && <option value={ADD_NEW}>{t('ref.addNew', { type })}</option>}
      </select>
      {known && (
        <details className="rounded border border-slate-200 bg-slate-50">
          <summary className="cursor-pointer px-2 py-1 text-xs text-slate-700">{t('ref.edit', { label: candidates.find((c) => c.id === current)?.label })}</summary>
          <div className="border-t border-slate-200 p-2">{renderEditor(current)}</div>
        </details>
      )}
    </div>
  );
}

/** A list of node ids (link targets, a catch node's scope), as checkboxes; with the union's other values first. */
export function NodeListWidget({ field, id, value, describedBy, onChange, store, nodeId, nodeZ }: WidgetProps & { store: StoreApi<FlowEditorState>; nodeId: string; nodeZ: string | undefined }) {
  const document = useStore(store, (s) => s.document);
  const catalog = useStore(store, (s) => s.catalog);
  const type = field.nodeRef ?? '*';
  const candidates = useMemo(() => {
    const tabs = new Map(document.nodes.filter((n) => n.type === 'tab' || n.type === 'subflow').map((n) => [n.id, labelOf(n, document, catalog)]));
    return document.nodes
      .filter((n) => n.id !== nodeId && kindOf(n) === 'node' && (type === '*' ? n['z'] === nodeZ : n.type === type))
      .map((n) => ({ id: n.id, label: labelOf(n, document, catalog), tab: typeof n['z'] === 'string' && n['z'] !== nodeZ ? tabs.get(n['z']) : undefined }));
  }, [document, catalog, nodeId, nodeZ, type]);
  const current = value === undefined ? field.default : value;
  const list = Array.isArray(current) ? current.filter((v): v is string => typeof v === 'string') : null;
  const modes = field.refModes ?? [];
  return (
    <fieldset id={id} aria-describedby={describedBy} className="space-y-1 text-sm">
      <legend className="sr-only">{field.title}</legend>
      {modes.length > 0 && (
        <div className="flex flex-wrap gap-x-3">
          {modes.map((mode, i) => (
            <label key={i} className="flex items-center gap-1">
              <input type="radio" name={`${id}-mode`} checked={list === null && current === mode.value} onChange={() => onChange(mode.value, false)} />
              {mode.label}
            </label>
          ))}
          <label className="flex items-center gap-1">
            <input type="radio" name={`${id}-mode`} checked={list !== null} onChange={() => onChange([], false)} />
            {t('ref.selectedNodes')}
          </label>
        </div>
      )}
      {(list !== null || modes.length === 0) && (
        <div className="max-h-40 space-y-0.5 overflow-y-auto rounded border border-slate-200 p-1">
          {candidates.length === 0 && <p className="text-xs text-slate-500">{type === '*' ? t('ref.noOtherNodes') : t('ref.noTypeNodes', { type })}</p>}
          {candidates.map((c) => (
            <label key={c.id} className="flex items-center gap-1">
              <input
                type="checkbox" checked={list?.includes(c.id) ?? false}
                onChange={(e) => onChange(e.target.checked ? [...(list ?? []), c.id] : (list ?? []).filter((v) => v !== c.id), false)}
              />
              {c.label}
              {c.tab !== undefined && <span className="text-xs text-slate-500">({c.tab})</span>}
            </label>
          ))}
        </div>
      )}
    </fieldset>
  );
}

/**
 * The properties of a node whose type is installed but has no schema here (core nodes we do not curate: split, join,
 * http in…, and contrib nodes): its own properties as JSON, editable, in Node-RED's property names. What places the
 * node (id, type, tab, position, wires, group) is the canvas's and is left out. Text that is not a JSON object is
 * marked and not applied; nothing is lost while it is being typed.
 */
import { useState } from 'react';
import type { StoreApi } from 'zustand';
import type { NodeRedNode } from '../model/flow-codec.ts';
import type { FlowEditorState } from '../model/flow-store.ts';
import { CodeEditor } from './code-editor.tsx';
import { t } from './properties.messages.ts';

/** Properties of a node that the canvas owns, not its config. */
const PLACEMENT = new Set(['id', 'type', 'z', 'x', 'y', 'wires', 'g', 'w', 'h', 'd']);

/** The node's own properties (its config), in file order. */
export function configOf(node: NodeRedNode): Record<string, unknown> {
  return Object.fromEntries(Object.entries(node).filter(([key]) => !PLACEMENT.has(key)));
}

/** JSON with object keys sorted: the same config whatever order its keys were typed in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v);
}

/** Reads the editor's text as a config, or says what is wrong with it. */
export function parseConfig(text: string): { ok: true; config: Record<string, unknown> } | { ok: false; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: t('raw.notJson', { reason: err instanceof Error ? err.message : String(err) }) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, message: t('raw.notObject') };
  const placed = Object.keys(value).filter((key) => PLACEMENT.has(key));
  if (placed.length > 0) return { ok: false, message: t('raw.placed', { keys: placed.join(', '), count: placed.length }) };
  return { ok: true, config: value as Record<string, unknown> };
}

/** The changes that turn `before` into `after`: new values, and removed keys as undefined. */
export function configChanges(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const changes: Record<string, unknown> = { ...after };
  for (const key of Object.keys(before)) if (!Object.hasOwn(after, key)) changes[key] = undefined;
  return changes;
}

export function RawConfigEditor({ store, node }: { store: StoreApi<FlowEditorState>; node: NodeRedNode }) {
  const config = configOf(node);
  const current = canonical(config);
  // The text being typed, and the config it was typed against: when the node changes from elsewhere (undo), the
  // editor shows the node again.
  const [draft, setDraft] = useState<{ text: string; basis: string } | null>(null);
  const showing = draft && draft.basis === current ? draft.text : JSON.stringify(config, null, 2);
  const problem = draft && draft.basis === current ? parseConfig(draft.text) : null;
  const id = `raw-config-${node.id}`;
  const apply = (text: string, ongoing: boolean) => {
    const parsed = parseConfig(text);
    if (!parsed.ok) {
      setDraft({ text, basis: current });
      return;
    }
    setDraft({ text, basis: canonical(parsed.config) });
    store.getState().updateNodeConfig(node.id, configChanges(config, parsed.config), { ongoing });
  };
  return (
    <div>
      <label htmlFor={id} className="block pb-0.5 text-xs font-medium text-slate-700">{t('raw.label')}</label>
      <CodeEditor
        id={id} label={t('raw.label')} language="json" value={showing} invalid={problem?.ok === false}
        {...(problem?.ok === false ? { describedBy: `${id}-error` } : {})}
        onChange={(text) => apply(text, true)} onBlur={() => apply(showing, false)}
      />
      {problem?.ok === false && <p id={`${id}-error`} className="mt-0.5 text-xs text-red-700">{problem.message}</p>}
    </div>
  );
}

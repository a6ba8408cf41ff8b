/**
 * Rows of the "common" core forms that the form kit lacks: the scope select of catch and status nodes, and the
 * link target lists of link in, link out and link call nodes (which, as in Node-RED, keep both ends of a link in
 * step: ticking a link in on a link out adds the link out to that link in's `links` too).
 */
import { useMemo, type JSX } from 'react';
import { useStore } from 'zustand';
import { labelOf } from '../../model/node-catalog.ts';
import { t } from './core-forms.messages.ts';
import { NodeListField, Row, useCoreForm, useFieldId, useProblems } from './form-kit.tsx';

const selectClass = 'w-full min-w-0 rounded border border-slate-300 px-2 py-1 text-sm focus:outline-none focus:ring-1 focus:ring-sky-500';

/**
 * "Catch errors from" / "Report status from": all nodes (`scope: null`), in same group (`"group"`) or selected nodes
 * (a list of ids, ticked below). `onTarget` is merged into the patch when "selected nodes" is chosen.
 */
export function ScopeRows({ label, onTarget = {} }: { label: string; onTarget?: Readonly<Record<string, unknown>> }): JSX.Element {
  const { node, update } = useCoreForm();
  const id = useFieldId('scope-select');
  const problems = useProblems('/scope');
  const scope = node['scope'];
  const mode = scope === 'group' ? 'group' : Array.isArray(scope) ? 'target' : 'all';
  return (
    <>
      <Row label={label} htmlFor={id} problems={problems}>
        <select
          id={id} value={mode} className={selectClass}
          onChange={(e) => {
            const next = e.target.value;
            update(next === 'all' ? { scope: null } : next === 'group' ? { scope: 'group' } : { scope: [], ...onTarget });
          }}
        >
          <option value="all">{t('scope.all')}</option>
          <option value="group">{t('scope.group')}</option>
          <option value="target">{t('scope.target')}</option>
        </select>
      </Row>
      {mode === 'target' && <NodeListField prop="scope" label={t('scope.selectedNodes')} />}
    </>
  );
}

/** The other end's `links` with `self` added or removed. */
function mirrored(links: unknown, self: string, linked: boolean): string[] {
  const list = Array.isArray(links) ? links.filter((v): v is string => typeof v === 'string') : [];
  if (linked) return list.includes(self) ? list : [...list, self];
  return list.filter((v) => v !== self);
}

/**
 * The link nodes this node is linked to, grouped by flow, as Node-RED's tree: checkboxes (link in, link out) or a
 * choice of one (link call). Link in lists link out nodes (not those in return mode); link out and link call list
 * link in nodes. A node counts as linked when either end lists the other. Stored sorted, as Node-RED stores them.
 */
export function LinkTargetsField({ target, single = false }: { target: 'link in' | 'link out'; single?: boolean }): JSX.Element {
  const { node, store, readOnly } = useCoreForm();
  const document = useStore(store, (s) => s.document);
  const catalog = useStore(store, (s) => s.catalog);
  const problems = useProblems('/links');
  const id = useFieldId('links');
  const own = useMemo(() => (Array.isArray(node['links']) ? node['links'] : typeof node['links'] === 'string' ? [node['links']] : []) as string[], [node]);
  const groups = useMemo(() => {
    const tabs = document.nodes.filter((n) => n.type === 'tab');
    return tabs
      .map((tab) => ({
        tab,
        candidates: document.nodes
          .filter((n) => n.type === target && n['z'] === tab.id && n.id !== node.id && !(target === 'link out' && n['mode'] === 'return'))
          .map((n) => ({
            node: n,
            label: typeof n['name'] === 'string' && n['name'] !== '' ? n['name'] : n.id,
            linked: own.includes(n.id) || (!single && Array.isArray(n['links']) && n['links'].includes(node.id)),
          })),
      }))
      .filter((g) => g.candidates.length > 0);
  }, [document, target, node.id, own, single]);
  const toggle = (other: string, linked: boolean) => {
    if (readOnly) return;
    const state = store.getState();
    if (single) {
      state.updateNodeConfig(node.id, { links: linked ? [other] : [] });
      return;
    }
    const current = groups.flatMap((g) => g.candidates).filter((c) => c.linked).map((c) => c.node.id);
    const next = (linked ? [...current, other] : current.filter((v) => v !== other)).sort();
    const otherNode = document.nodes.find((n) => n.id === other);
    // Both ends change as one undo step.
    state.updateNodesConfig([
      { id: node.id, changes: { links: next } },
      ...(otherNode ? [{ id: other, changes: { links: mirrored(otherNode['links'], node.id, linked) } }] : []),
    ]);
  };
  return (
    <Row label={single ? t('link.target') : t('link.linkedNodes')} problems={problems}>
      <fieldset id={id} className="max-h-48 space-y-1 overflow-y-auto rounded border border-slate-200 p-1 text-sm">
        <legend className="sr-only">{single ? t('link.targetLegend') : t('link.linkedLegend', { type: target })}</legend>
        {groups.length === 0 && <p className="text-xs text-slate-500">{t('link.noNodes', { type: target })}</p>}
        {groups.map(({ tab, candidates }) => (
          <div key={tab.id}>
            <div className="text-xs font-medium text-slate-500">
              {labelOf(tab, document, catalog)}
              {tab.id === node['z'] ? ' *' : ''}
            </div>
            {candidates.map((c) => (
              <label key={c.node.id} className="flex items-center gap-1 pl-2">
                <input
                  type={single ? 'radio' : 'checkbox'} name={single ? `${id}-target` : undefined} checked={c.linked}
                  onChange={(e) => toggle(c.node.id, e.target.checked)}
                />
                {c.label}
              </label>
            ))}
          </div>
        ))}
      </fieldset>
    </Row>
  );
}

/**
 * The changes that switch a link out to return mode, as one undo step: Node-RED keeps no targets then, on either
 * end, so `self` leaves the `links` of every node that lists it.
 */
export function switchToReturn(store: ReturnType<typeof useCoreForm>['store'], self: string, links: readonly string[]): void {
  const state = store.getState();
  const others = state.document.nodes.filter((n) => n.id !== self && (links.includes(n.id) || (Array.isArray(n['links']) && n['links'].includes(self))));
  state.updateNodesConfig([
    { id: self, changes: { mode: 'return', links: [] } },
    ...others.map((n) => ({ id: n.id, changes: { links: mirrored(n['links'], self, false) } })),
  ]);
}

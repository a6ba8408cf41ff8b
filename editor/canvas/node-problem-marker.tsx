/**
 * The red marker Node-RED puts on a node whose config is invalid (or that refers to something missing), with the
 * problems as its tooltip.
 */
import { useCallback } from 'react';
import { useFlowStore } from '../editor-context.tsx';
import { selectNodeProblems } from '../model/flow-selectors.ts';
import type { FlowEditorState } from '../model/flow-store.ts';
import { t } from './canvas.messages.ts';

/** The marker of node `id`; nothing when it has no problem. */
export function NodeProblemMarker({ id }: { id: string }) {
  // A string, not the list: the problems are recomputed per document, and equal text must not re-render the node.
  const text = useFlowStore(useCallback((s: FlowEditorState) => selectNodeProblems(id)(s).map((p) => p.message).join('\n'), [id]));
  if (!text) return null;
  return (
    <span
      role="img" aria-label={t('node.problems', { text })} title={text} data-testid="node-problem"
      className="absolute -right-1 -top-2 h-3 w-3 rounded-full border border-white bg-red-600 shadow"
    />
  );
}

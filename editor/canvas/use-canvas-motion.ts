/**
 * What keeps a large flow smooth to pan and zoom: while the view moves, the drawing is one composited layer that the
 * browser moves instead of repainting every node and wire each frame (at rest it is repainted, crisp at the new
 * zoom); and far out, where labels and ports are a few pixels high and unreadable, only the nodes' bodies and wires
 * are drawn. Both are classes set on React Flow's root element directly: a React render per frame or gesture would
 * cost what they save (and a render of the root's className would drop them).
 */
import { useCallback, useEffect } from 'react';
import { useStoreApi, type ReactFlowState } from '@xyflow/react';

/** Below this zoom node labels are under ~4.5 px: not drawn. */
export const FAR_ZOOM = 0.35;

/** React Flow's move callbacks for the canvas; keeps the far-out class in step with the zoom. */
export function useCanvasMotion(): { onMoveStart(): void; onMoveEnd(): void } {
  const flow = useStoreApi();
  useEffect(() => {
    let far: boolean | null = null;
    let root: HTMLElement | null = null;
    const update = ({ transform, domNode }: ReactFlowState) => {
      const now = transform[2] < FAR_ZOOM;
      if (domNode && (now !== far || domNode !== root)) {
        far = now;
        root = domNode;
        domNode.classList.toggle('flow-canvas-far', now);
      }
    };
    update(flow.getState());
    return flow.subscribe(update);
  }, [flow]);
  const onMoveStart = useCallback(() => flow.getState().domNode?.classList.add('flow-canvas-moving'), [flow]);
  const onMoveEnd = useCallback(() => flow.getState().domNode?.classList.remove('flow-canvas-moving'), [flow]);
  return { onMoveStart, onMoveEnd };
}

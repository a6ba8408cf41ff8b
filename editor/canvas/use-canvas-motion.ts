/**
 * What keeps a large flow smooth to pan and zoom: while the view moves, the drawing is one composited layer that the
 * browser moves instead of repainting every node and wire each frame (at rest it is repainted, crisp at the new
 * zoom); a large flow is sketched in a few paths meanwhile (see motion-sketch.tsx); and far out, where labels
 * and ports are a few pixels high and unreadable, only the nodes' bodies and wires are drawn. All are classes set on
 * React Flow's root element directly: a React render per frame or gesture would cost what they save (and a render of
 * the root's className would drop them).
 */
import { useCallback, useEffect, useRef } from 'react';
import { useStoreApi, type ReactFlowState } from '@xyflow/react';
import type { CanvasEdge, CanvasNode } from '../model/flow-canvas.ts';
import { hideMotionSketch, showMotionSketch } from './motion-sketch.tsx';

/** Below this zoom node labels are under ~4.5 px: not drawn. */
export const FAR_ZOOM = 0.35;

/** How long the view rests before it is drawn at rest again (React Flow ends a wheel gesture 150 ms after its last tick). */
const SETTLE_MS = 200;

/** React Flow's move callbacks for the canvas; keeps the far-out class in step with the zoom. */
export function useCanvasMotion(): { onMoveStart(): void; onMoveEnd(): void } {
  const flow = useStoreApi<CanvasNode, CanvasEdge>();
  useEffect(() => {
    let far: boolean | null = null;
    let root: HTMLElement | null = null;
    const update = ({ transform, domNode }: ReactFlowState<CanvasNode, CanvasEdge>) => {
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
  // A gesture's end is acted on only after a pause: each change of these classes restyles the nodes, and a run of
  // wheel ticks a few frames apart would otherwise pay for two restyles per tick.
  const settle = useRef<ReturnType<typeof setTimeout> | null>(null);
  const onMoveStart = useCallback(() => {
    if (settle.current) {
      clearTimeout(settle.current);
      settle.current = null;
      return;
    }
    const state = flow.getState();
    state.domNode?.classList.add('flow-canvas-moving');
    showMotionSketch(state);
  }, [flow]);
  const onMoveEnd = useCallback(() => {
    if (settle.current) clearTimeout(settle.current);
    settle.current = setTimeout(() => {
      settle.current = null;
      const state = flow.getState();
      state.domNode?.classList.remove('flow-canvas-moving');
      hideMotionSketch(state);
    }, SETTLE_MS);
  }, [flow]);
  useEffect(() => () => {
    if (settle.current) clearTimeout(settle.current);
  }, []);
  return { onMoveStart, onMoveEnd };
}

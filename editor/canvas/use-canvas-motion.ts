/**
 * What keeps a large flow smooth to pan and zoom: while the view moves, the drawing is one composited layer that the
 * browser moves instead of repainting every node and wire each frame (at rest it is repainted, crisp at the new
 * zoom); a large flow is sketched in a few paths meanwhile (see motion-sketch.tsx); and far out, where labels
 * and ports are a few pixels high and unreadable, only the nodes' bodies and wires are drawn. All are classes set on
 * React Flow's root element directly: a React render per frame or gesture would cost what they save (and a render of
 * the root's className would drop them).
 *
 * The wheel on a large flow zooms that layer alone: React Flow would re-render per tick, mounting and unmounting the
 * nodes that enter and leave the view, which held zooms at about 16 frames/s on 2,000 nodes. The view it reaches is
 * handed to React Flow once the wheel rests (or at once when a click or key needs it); meanwhile the sketch draws
 * every node as a box beneath the ones React Flow has drawn.
 */
import { useEffect, useMemo } from 'react';
import { useReactFlow, useStoreApi, type ReactFlowState, type Viewport } from '@xyflow/react';
import type { CanvasEdge, CanvasNode } from '../model/flow-canvas.ts';
import { hideMotionSketch, showMotionSketch, SKETCH_MIN_WIRES } from './motion-sketch.tsx';

/** Below this zoom node labels are under ~4.5 px: not drawn. */
export const FAR_ZOOM = 0.35;

/** How long the view rests before it is drawn at rest again (React Flow ends a wheel gesture 150 ms after its last tick). */
const SETTLE_MS = 200;

type FlowState = ReactFlowState<CanvasNode, CanvasEdge>;

/** The zoom after a wheel tick, as React Flow's d3-zoom computes it (a pinch, ctrl + wheel, is ten times as fast on a Mac). */
export function wheelZoom(zoom: number, event: Pick<WheelEvent, 'deltaY' | 'deltaMode' | 'ctrlKey'>, min: number, max: number, mac: boolean): number {
  const delta = -event.deltaY * (event.deltaMode === 1 ? 0.05 : event.deltaMode ? 1 : 0.002) * (event.ctrlKey && mac ? 10 : 1);
  return Math.min(max, Math.max(min, zoom * 2 ** delta));
}

/** The view zoomed to `zoom` about `at` (a point of the pane): the flow point under it stays under it. */
export function zoomAbout(view: Viewport, zoom: number, at: { x: number; y: number }): Viewport {
  const scale = zoom / view.zoom;
  return { x: at.x - (at.x - view.x) * scale, y: at.y - (at.y - view.y) * scale, zoom };
}

/** One canvas's motion: the classes of a moving view, the end of a gesture after a pause, and the wheel on a large flow. */
class CanvasMotion {
  private settleTimer: ReturnType<typeof setTimeout> | null = null;
  private moving = false;
  /** Where the wheel has taken the view of a large flow, not handed to React Flow yet. */
  private wheeled: Viewport | null = null;
  /** Handing the wheeled view to React Flow: the move it starts is ours. */
  private handing = false;
  /** A hand-over's end, which React Flow reports a moment later, is still to come. */
  private handedEnd = false;
  private readonly mac = typeof navigator !== 'undefined' && navigator.userAgent.includes('Mac');

  constructor(
    private readonly state: () => FlowState,
    private readonly setViewport: (view: Viewport) => void,
  ) {}

  /** React Flow's view starts moving (a drag, its wheel on a small flow, or a change in code such as fit to view). */
  readonly onMoveStart = () => {
    if (this.handing) return;
    // Someone else moved the view meanwhile (a button): their view wins.
    if (this.wheeled) this.dropWheeled();
    this.begin();
  };

  readonly onMoveEnd = (event: MouseEvent | TouchEvent | null) => {
    if (this.handedEnd && event === null) {
      this.handedEnd = false;
      return;
    }
    if (this.moving) this.endAfterPause();
  };

  /** A wheel tick anywhere on the canvas (capturing, before React Flow's own handler). */
  readonly onWheel = (event: WheelEvent) => {
    const state = this.state();
    const root = state.domNode;
    const target = event.target as Element | null;
    if (!root || state.edges.length < SKETCH_MIN_WIRES || !target?.closest('.react-flow__renderer') || target.closest('.nowheel')) {
      // The minimap's wheel, say: it zooms from the view this wheel reached.
      this.handOver();
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    const [x, y, zoom] = state.transform;
    const from = this.wheeled ?? { x, y, zoom };
    const box = root.getBoundingClientRect();
    const to = zoomAbout(from, wheelZoom(from.zoom, event, state.minZoom, state.maxZoom, this.mac), { x: event.clientX - box.left, y: event.clientY - box.top });
    if (!this.wheeled) {
      this.begin();
      root.classList.add('flow-canvas-wheeling');
    }
    this.wheeled = to;
    const viewport = root.querySelector<HTMLElement>('.react-flow__viewport');
    if (viewport) viewport.style.transform = `translate(${to.x}px, ${to.y}px) scale(${to.zoom})`;
    this.endAfterPause();
  };

  /** A click or key on the canvas acts on the view the wheel reached: React Flow gets it now. */
  readonly handOver = () => {
    const view = this.wheeled;
    if (!view) return;
    this.dropWheeled();
    this.handing = true;
    try {
      this.setViewport(view);
    } finally {
      this.handing = false;
    }
    this.handedEnd = true;
  };

  dispose(): void {
    if (this.settleTimer) clearTimeout(this.settleTimer);
  }

  private begin(): void {
    if (this.settleTimer) {
      clearTimeout(this.settleTimer);
      this.settleTimer = null;
    }
    if (this.moving) return;
    this.moving = true;
    const state = this.state();
    state.domNode?.classList.add('flow-canvas-moving');
    showMotionSketch(state);
  }

  // A gesture's end is acted on only after a pause: each change of these classes restyles the nodes, and a run of
  // wheel ticks a few frames apart would otherwise pay for two restyles per tick.
  private endAfterPause(): void {
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      this.settleTimer = null;
      this.handOver();
      this.moving = false;
      const state = this.state();
      state.domNode?.classList.remove('flow-canvas-moving');
      hideMotionSketch(state);
    }, SETTLE_MS);
  }

  private dropWheeled(): void {
    this.wheeled = null;
    this.state().domNode?.classList.remove('flow-canvas-wheeling');
  }
}

/** React Flow's move callbacks for the canvas; keeps the far-out class in step with the zoom, and zooms a large flow's wheel. */
export function useCanvasMotion(): { onMoveStart(): void; onMoveEnd(event: MouseEvent | TouchEvent | null): void } {
  const flow = useStoreApi<CanvasNode, CanvasEdge>();
  const { setViewport } = useReactFlow<CanvasNode, CanvasEdge>();
  const motion = useMemo(() => new CanvasMotion(flow.getState, (view) => void setViewport(view)), [flow, setViewport]);
  useEffect(() => {
    let far: boolean | null = null;
    let root: HTMLElement | null = null;
    const update = ({ transform, domNode }: FlowState) => {
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
  useEffect(() => {
    let root: HTMLElement | null = null;
    const attach = ({ domNode }: FlowState) => {
      if (domNode === root) return;
      detach();
      root = domNode;
      root?.addEventListener('wheel', motion.onWheel, { capture: true, passive: false });
      root?.addEventListener('pointerdown', motion.handOver, { capture: true });
    };
    const detach = () => {
      root?.removeEventListener('wheel', motion.onWheel, { capture: true });
      root?.removeEventListener('pointerdown', motion.handOver, { capture: true });
    };
    attach(flow.getState());
    const unsubscribe = flow.subscribe(attach);
    document.addEventListener('keydown', motion.handOver, { capture: true });
    return () => {
      unsubscribe();
      detach();
      document.removeEventListener('keydown', motion.handOver, { capture: true });
      motion.dispose();
    };
  }, [flow, motion]);
  return motion;
}

/**
 * The canvas of the active tab: React Flow controlled by the flow store (every change goes through a store action,
 * so it is undoable and the document stays the one truth). Node-RED's x/y are node centres, hence `nodeOrigin`
 * [0.5, 0.5]. Nodes keep their canvas objects while they do not change, so a drag re-renders only what moves; off-
 * screen nodes are not rendered, so a 1,000-node flow pans smoothly.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type DragEvent, type MouseEvent, type RefObject } from 'react';
import {
  Background,
  BackgroundVariant,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type NodeChange,
  type AriaLabelConfig,
  type Viewport,
  type XYPosition,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import './flow-canvas.css';
import { useFlowEditor, useFlowStore } from '../editor-context.tsx';
import { applyEdgeChanges, applyNodeChanges } from '../model/canvas-changes.ts';
import type { CanvasEdge, CanvasNode } from '../model/flow-canvas.ts';
import { selectCanvasEdges, selectCanvasNodes } from '../model/flow-selectors.ts';
import { NODE_TYPE_MEDIA_TYPE } from '../palette/palette-drag.ts';
import type { NodeTypeEntry } from '../../nodes/definitions.ts';
import { useCanvasInteractions } from './canvas-interactions.tsx';
import { layoutStore, usePanelLayout } from '../layout/use-panel-layout.ts';
import { CanvasFooter } from './canvas-footer.tsx';
import { useCanvasMotion } from './use-canvas-motion.ts';
import { fitViewport, openingViewport, type Pane } from './fit-viewport.ts';
import { nodeTypes } from './node-types.ts';
import { useEditorShortcuts } from './use-editor-shortcuts.ts';
import { MotionSketch } from './motion-sketch.tsx';
import { LinkWires } from './link-wires.tsx';
import { t } from './canvas.messages.ts';
import { useLocale } from '../i18n.ts';
import { useTheme } from '../theme.ts';

const NODE_ORIGIN: [number, number] = [0.5, 0.5];
const MULTI_SELECT_KEYS = ['Shift', 'Meta', 'Control'];
const DEFAULT_EDGE_OPTIONS = { type: 'default' } as const;
/** The minimap's size, and the corner it takes with React Flow's 15 px panel margin, which a fit keeps nodes out of. */
const MINIMAP = { width: 180, height: 120 };
const MINIMAP_CORNER = { width: MINIMAP.width + 30, height: MINIMAP.height + 30 };

type Size = { width: number; height: number };

interface CanvasProps {
  /** The palette's node types (quick-add offers them). */
  types: readonly NodeTypeEntry[];
  onError(message: string): void;
}

/** The canvas; `onError` tells the user why something they did had no effect. */
export function FlowCanvasView(props: CanvasProps) {
  return (
    <ReactFlowProvider>
      <Canvas {...props} />
    </ReactFlowProvider>
  );
}

/**
 * Waits for the pane's size, so the first frame is already at the opening viewport, and follows it as panels around
 * the canvas open and close.
 */
function Canvas({ types, onError }: CanvasProps) {
  const pane = useRef<HTMLDivElement>(null);
  const size = useRef<Size>({ width: 0, height: 0 });
  const [initialSize, setInitialSize] = useState<Size | null>(null);
  useLayoutEffect(() => {
    const element = pane.current!;
    const measure = () => {
      const rect = element.getBoundingClientRect();
      size.current = { width: rect.width, height: rect.height };
    };
    measure();
    setInitialSize(size.current);
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const fit = useFit(size);
  return (
    <div className="flex h-full w-full flex-col">
      <div ref={pane} className="min-h-0 flex-1">
        {initialSize && <SizedCanvas initialSize={initialSize} size={size} types={types} onError={onError} />}
      </div>
      <CanvasFooter onFit={fit} />
    </div>
  );
}

/** The pane nodes are fitted into: its size, less the minimap's corner while the minimap shows. */
function paneOf(size: Size): Pane {
  return { ...size, corner: layoutStore().get().minimap ? MINIMAP_CORNER : null };
}

/** Fit to view: every node of the tab, padded, at up to 100 %, none under the minimap. */
function useFit(size: RefObject<Size>): () => void {
  const { store } = useFlowEditor();
  const { setViewport } = useReactFlow();
  return () => void setViewport(fitViewport(selectCanvasNodes(store.getState()), paneOf(size.current)));
}

function SizedCanvas({ initialSize, size, types, onError }: { initialSize: Size; size: RefObject<Size> } & CanvasProps) {
  const { store } = useFlowEditor();
  const nodes = useFlowStore(selectCanvasNodes);
  const edges = useFlowStore(selectCanvasEdges);
  const activeTab = useFlowStore((s) => s.activeTab);
  const readOnly = useFlowStore((s) => s.readOnly);
  const { screenToFlowPosition, setViewport } = useReactFlow();
  const locale = useLocale();
  const ariaLabels = useMemo(() => reactFlowLabels(locale), [locale]);
  const { minimap } = usePanelLayout();
  const { onMoveStart, onMoveEnd } = useCanvasMotion();
  // The mouse on the screen, so a paste after zooming with the wheel still lands under it.
  const pointer = useRef<XYPosition | null>(null);
  const pastePosition = useCallback(() => (pointer.current ? screenToFlowPosition(pointer.current) : null), [screenToFlowPosition]);
  useEditorShortcuts({ store, pastePosition, onError });

  // A tab opens on its nodes at a readable zoom, as Node-RED scrolls to them (the first one through `defaultViewport`).
  const [initialViewport] = useState<Viewport>(() => openingViewport(nodes, paneOf(initialSize)));
  const shownTab = useRef(activeTab);
  const dropCreatedTab = useRef(false);
  useEffect(() => {
    const open = () => void setViewport(openingViewport(selectCanvasNodes(store.getState()), paneOf(size.current)));
    // The flow a drop just created (there was none) keeps the view the node was dropped into.
    if (dropCreatedTab.current) {
      dropCreatedTab.current = false;
      shownTab.current = activeTab;
      return;
    }
    if (shownTab.current !== activeTab) {
      shownTab.current = activeTab;
      open();
    }
    // An empty tab is not fitted: React Flow would hold the fit until a first node is measured and then zoom onto it,
    // moving the first node dropped away from the cursor.
    if (selectCanvasNodes(store.getState()).length === 0) return;
    // The estimate used typical node sizes; the nodes in view are measured a frame later: open again on their real sizes.
    let frame = requestAnimationFrame(() => {
      frame = requestAnimationFrame(open);
    });
    return () => cancelAnimationFrame(frame);
  }, [activeTab, setViewport, store, size]);

  const interactions = useCanvasInteractions({ store, readOnly, types, onError });

  const onNodesChange = useCallback((changes: NodeChange<CanvasNode>[]) => applyNodeChanges(store, changes), [store]);
  const onEdgesChange = useCallback((changes: EdgeChange<CanvasEdge>[]) => applyEdgeChanges(store, changes), [store]);
  const onConnect = useCallback((connection: Connection) => void store.getState().connect(connection), [store]);
  // A read-only canvas takes no drop: the browser shows the drag refused (the store would refuse the node anyway).
  const onDragOver = useCallback((event: DragEvent) => {
    if (readOnly || !event.dataTransfer.types.includes(NODE_TYPE_MEDIA_TYPE)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }, [readOnly]);
  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(NODE_TYPE_MEDIA_TYPE);
      if (!type || readOnly) return;
      event.preventDefault();
      const createsTab = store.getState().activeTab === null;
      store.getState().addNode(type, roundPosition(screenToFlowPosition({ x: event.clientX, y: event.clientY })));
      dropCreatedTab.current = createsTab;
    },
    [store, screenToFlowPosition, readOnly],
  );
  const onMouseMove = useCallback(
    (event: MouseEvent) => {
      pointer.current = { x: event.clientX, y: event.clientY };
    },
    [],
  );

  const dark = useTheme() === 'dark';
  return (
    <div className="h-full w-full" data-testid="flow-canvas" onDragOver={onDragOver} onDrop={onDrop} onMouseMove={onMouseMove} onMouseLeave={() => (pointer.current = null)}>
      <ReactFlow<CanvasNode, CanvasEdge>
        colorMode={dark ? 'dark' : 'light'}
        nodes={nodes} edges={edges} nodeTypes={nodeTypes} nodeOrigin={NODE_ORIGIN}
        onNodesChange={onNodesChange} onEdgesChange={onEdgesChange} onConnect={onConnect}
        onMoveStart={onMoveStart} onMoveEnd={onMoveEnd}
        defaultEdgeOptions={DEFAULT_EDGE_OPTIONS}
        nodesDraggable={!readOnly} nodesConnectable={!readOnly}
        deleteKeyCode={null} selectionKeyCode="Shift" multiSelectionKeyCode={MULTI_SELECT_KEYS}
        defaultViewport={initialViewport} onlyRenderVisibleElements minZoom={0.1} maxZoom={3} snapToGrid={false}
        proOptions={{ hideAttribution: true }} className="flow-canvas" ariaLabelConfig={ariaLabels} {...interactions.flowProps}
      >
        <MotionSketch />
        <LinkWires />
        <Background variant={BackgroundVariant.Lines} gap={20} color={dark ? '#1a2233' : '#eef0f2'} />
        {minimap && (
          <MiniMap
            pannable zoomable nodeColor={miniMapColor} style={MINIMAP} className="!bg-white" ariaLabel={t('footer.minimap')}
            maskColor={dark ? 'rgba(2, 6, 23, 0.65)' : undefined}
          />
        )}
      </ReactFlow>
      {interactions.overlay}
    </div>
  );
}

/** Node-RED stores whole-pixel positions. */
function roundPosition({ x, y }: XYPosition): XYPosition {
  return { x: Math.round(x), y: Math.round(y) };
}

function miniMapColor(node: CanvasNode): string {
  if (node.type === 'flow-node') return node.data.color ?? '#ddd';
  if (node.type === 'unknown-node') return '#f87171';
  if (node.type === 'flow-group') return 'transparent';
  return '#cbd5e1';
}

const DIRECTIONS = { up: 'flow.up', down: 'flow.down', left: 'flow.left', right: 'flow.right' } as const;

/** React Flow's screen-reader texts in the UI's language (the locale only keys the memo: `t` reads the current one). */
function reactFlowLabels(_locale: string): Partial<AriaLabelConfig> {
  return {
    'node.a11yDescription.default': t('flow.nodeHelp'),
    'node.a11yDescription.keyboardDisabled': t('flow.nodeHelpKeyboard'),
    'node.a11yDescription.ariaLiveMessage': ({ direction, x, y }) =>
      t('flow.nodeMoved', { direction: direction in DIRECTIONS ? t(DIRECTIONS[direction as keyof typeof DIRECTIONS]) : direction, x, y }),
    'edge.a11yDescription.default': t('flow.edgeHelp'),
    'minimap.ariaLabel': t('footer.minimap'),
    'handle.ariaLabel': t('flow.handle'),
  };
}

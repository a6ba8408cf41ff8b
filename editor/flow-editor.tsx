/**
 * Placeholder flow editor: proves the browser stack end to end (palette from `/node-types`, the first tab of the
 * deployed flows drawn read-only). The real editor (store, editing, deploy) replaces this file.
 */
import { useEffect, useMemo, useState } from 'react';
import { Background, Controls, Handle, Position, ReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import type { NodeTypeEntry } from '../nodes/definitions.ts';

import type { EditorApi } from './editor-api.ts';

/** One entry of Node-RED flow JSON, as far as drawing it needs. */
interface FlowJsonNode {
  id: string;
  type: string;
  z?: string;
  x?: number;
  y?: number;
  name?: string;
  label?: string;
  wires?: string[][];
}

type CanvasNodeData = { label: string; color: string; inputs: number; outputs: number };
type CanvasNode = Node<CanvasNodeData, 'flow-node'>;

type Loaded = { status: 'loading' } | { status: 'failed'; message: string } | { status: 'ready'; types: NodeTypeEntry[]; flows: FlowJsonNode[] };

/** The Flows page: palette on the left, the canvas filling the rest. */
export function FlowEditor({ api }: { api: EditorApi }) {
  const [loaded, setLoaded] = useState<Loaded>({ status: 'loading' });

  useEffect(() => {
    let current = true;
    Promise.all([api.get<{ items: NodeTypeEntry[] }>('/node-types'), api.get<{ flows: FlowJsonNode[] }>('/flows')]).then(
      ([types, flows]) => current && setLoaded({ status: 'ready', types: types.items, flows: flows.flows }),
      (err: unknown) => current && setLoaded({ status: 'failed', message: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      current = false;
    };
  }, [api]);

  if (loaded.status === 'loading') return <p className="p-4 text-sm text-slate-500">Loading the flows…</p>;
  if (loaded.status === 'failed') return <p role="alert" className="p-4 text-sm text-red-700">Could not load the flows: {loaded.message}</p>;
  return (
    <div className="absolute inset-0 flex">
      <Palette types={loaded.types} />
      <Canvas types={loaded.types} flows={loaded.flows} />
    </div>
  );
}

function Palette({ types }: { types: NodeTypeEntry[] }) {
  // Config nodes (listeners, brokers) are not dragged onto a flow; Node-RED keeps them out of the palette too.
  const groups = useMemo(() => {
    const byCategory = new Map<string, NodeTypeEntry[]>();
    for (const t of types) if (!t.isConfigNode) byCategory.set(t.category, [...(byCategory.get(t.category) ?? []), t]);
    return [...byCategory];
  }, [types]);
  return (
    <aside aria-label="Palette" className="w-48 shrink-0 overflow-y-auto border-r border-slate-200 bg-slate-50 p-2 text-sm">
      {groups.map(([category, entries]) => (
        <section key={category} className="mb-3">
          <h2 className="px-1 pb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">{category}</h2>
          <ul className="space-y-1">
            {entries.map((t) => (
              <li key={t.type} title={t.type} className="flex items-center gap-2 rounded border border-slate-300 bg-white px-2 py-1 text-slate-800">
                <span className="h-3 w-3 shrink-0 rounded-sm border border-black/20" style={{ background: t.color }} />
                {t.paletteLabel ?? t.label}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </aside>
  );
}

const nodeTypes = { 'flow-node': FlowNodeView };

function Canvas({ types, flows }: { types: NodeTypeEntry[]; flows: FlowJsonNode[] }) {
  const tab = flows.find((n) => n.type === 'tab');
  const { nodes, edges } = useMemo(() => toCanvas(types, flows, tab?.id), [types, flows, tab?.id]);
  return (
    <div className="flex min-w-0 flex-1 flex-col">
      <div className="border-b border-slate-200 px-3 py-1.5 text-sm font-medium text-slate-700">{tab?.label ?? 'No flows deployed'}</div>
      <div className="min-h-0 flex-1" data-testid="flow-canvas">
        <ReactFlow
          nodes={nodes} edges={edges} nodeTypes={nodeTypes} nodeOrigin={[0.5, 0.5]} fitView
          nodesDraggable={false} nodesConnectable={false} elementsSelectable={false}
        >
          <Background />
          <Controls showInteractive={false} />
        </ReactFlow>
      </div>
    </div>
  );
}

/** The nodes of one tab at their Node-RED x/y (node centres, hence `nodeOrigin` [0.5,0.5]) and their wires as edges. */
function toCanvas(types: NodeTypeEntry[], flows: FlowJsonNode[], tabId: string | undefined): { nodes: CanvasNode[]; edges: Edge[] } {
  const byType = new Map(types.map((t) => [t.type, t]));
  const onTab = flows.filter((n) => tabId !== undefined && n.z === tabId && typeof n.x === 'number' && typeof n.y === 'number');
  const ids = new Set(onTab.map((n) => n.id));
  const nodes = onTab.map((n): CanvasNode => {
    const t = byType.get(n.type);
    return {
      id: n.id, type: 'flow-node', position: { x: n.x!, y: n.y! },
      data: { label: n.name || t?.label || n.type, color: t?.color ?? '#ddd', inputs: t?.inputs ?? 1, outputs: n.wires?.length ?? t?.outputs ?? 0 },
    };
  });
  const edges = onTab.flatMap((n) =>
    (n.wires ?? []).flatMap((targets, port) =>
      targets.filter((target) => ids.has(target)).map((target): Edge => ({ id: `${n.id}:${port}:${target}`, source: n.id, sourceHandle: `out-${port}`, target })),
    ),
  );
  return { nodes, edges };
}

function FlowNodeView({ data }: NodeProps<CanvasNode>) {
  return (
    <div className="min-w-28 rounded border border-slate-500 px-3 py-1.5 text-xs text-slate-900 shadow-sm" style={{ background: data.color }}>
      {data.inputs > 0 && <Handle type="target" position={Position.Left} isConnectable={false} />}
      {data.label}
      {Array.from({ length: data.outputs }, (_, port) => (
        <Handle
          key={port} id={`out-${port}`} type="source" position={Position.Right} isConnectable={false}
          style={{ top: `${((port + 1) * 100) / (data.outputs + 1)}%` }}
        />
      ))}
    </div>
  );
}

/**
 * The canvas objects that are not processing nodes: comments, groups (a labelled box drawn beneath its nodes),
 * wire junctions and a subflow's ports. Each draws as Node-RED draws it.
 */
import { memo } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { isJsonObject, type NodeRedNode } from '../model/flow-codec.ts';
import {
  outputHandle,
  type CommentCanvasNode,
  type GroupCanvasNode,
  type JunctionCanvasNode,
  type SubflowPortCanvasNode,
} from '../model/flow-canvas.ts';

const PORT_CLASS = '!h-2.5 !w-2.5 !rounded-[3px] !border !border-slate-500 !bg-slate-200';

/** A comment: text on a white box, no ports. */
export const CommentNodeView = memo(function CommentNodeView({ data, selected }: NodeProps<CommentCanvasNode>) {
  return (
    <div
      data-testid="comment-node"
      className={`flex h-[30px] min-w-[100px] items-center rounded-[5px] border bg-white px-3 text-[13px] text-slate-700 ${selected ? 'border-2 border-orange-500' : 'border-dashed border-slate-400'} ${data.disabled ? 'opacity-50' : ''}`}
    >
      {data.label}
    </div>
  );
});

/** How a group looks, from its `style` as Node-RED stores it: border, fill and its opacity, label colour and whether it shows. */
export function groupLook(group: NodeRedNode): { stroke: string; fill: string; fillOpacity: number; labelColor: string; showLabel: boolean } {
  const style = isJsonObject(group['style']) ? group['style'] : {};
  const fillOpacity = Number(style['fill-opacity'] ?? 1);
  return {
    stroke: typeof style['stroke'] === 'string' ? style['stroke'] : '#999999',
    fill: typeof style['fill'] === 'string' ? style['fill'] : 'none',
    fillOpacity: Number.isFinite(fillOpacity) ? fillOpacity : 1,
    labelColor: typeof style['color'] === 'string' ? style['color'] : '#333333',
    showLabel: style['label'] !== false,
  };
}

/** A group: its `style` (stroke, fill, label) as Node-RED stores it, label in the top-left corner. */
export const GroupNodeView = memo(function GroupNodeView({ data, selected }: NodeProps<GroupCanvasNode>) {
  const { stroke, fill, fillOpacity, labelColor, showLabel } = groupLook(data.node);
  return (
    <div data-testid="group-node" className="relative h-full w-full rounded" style={{ border: `${selected ? 2 : 1}px solid ${selected ? '#ff7f0e' : stroke}` }}>
      {/* The fill alone is translucent (Node-RED's fill-opacity); the border and label stay solid. */}
      {fill !== 'none' && <div aria-hidden className="absolute inset-0 rounded" style={{ background: fill, opacity: fillOpacity }} />}
      {showLabel && data.label && <span className="absolute left-2 top-1 text-xs" style={{ color: labelColor }}>{data.label}</span>}
    </div>
  );
});

/** A junction: a small dot where wires meet; one input and one output at the same point. */
export const JunctionNodeView = memo(function JunctionNodeView({ selected }: NodeProps<JunctionCanvasNode>) {
  return (
    <div className={`relative h-3 w-3 rounded-full border ${selected ? 'border-orange-500 bg-orange-300' : 'border-slate-500 bg-slate-300'}`}>
      <Handle type="target" position={Position.Left} className="!left-1/2 !-m-1.5 !h-3 !w-3 !opacity-0" />
      <Handle type="source" id={outputHandle(0)} position={Position.Right} className="!right-1/2 !-m-1.5 !h-3 !w-3 !opacity-0" />
    </div>
  );
});

/** A subflow's input, output or status port on the subflow's canvas. */
export const SubflowPortView = memo(function SubflowPortView({ data, selected }: NodeProps<SubflowPortCanvasNode>) {
  return (
    <div className={`relative flex h-[30px] w-10 items-center justify-center rounded-[5px] border bg-slate-200 text-[11px] text-slate-700 ${selected ? 'border-2 border-orange-500' : 'border-slate-500'}`}>
      {data.label}
      {data.direction === 'in' ? (
        <Handle type="source" id={outputHandle(0)} position={Position.Right} className={PORT_CLASS} />
      ) : (
        <Handle type="target" position={Position.Left} className={PORT_CLASS} />
      )}
    </div>
  );
});

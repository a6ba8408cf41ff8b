/**
 * A node on the canvas, drawn as Node-RED draws it: a rounded body in the type's colour with an icon band, its
 * label, an input port on the left and output ports on the right (labelled on hover when it has several), a red
 * marker for problems and its live status underneath. Unknown types get a dashed red body; they still connect.
 */
import { memo } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { outputHandle, type FlowCanvasNode, type UnknownCanvasNode } from '../model/flow-canvas.ts';
import { InjectButton } from './inject-button.tsx';
import { NodeIcon } from './node-icon.tsx';
import { NodeProblemMarker } from './node-problem-marker.tsx';
import { NodeStatusBadge } from './node-status-badge.tsx';
import { nodeHeight, portTop } from './node-geometry.ts';
import { useFlowStore } from '../editor-context.tsx';
import { isPublicEndpoint } from '../../nodes/core/core-nodes.def.ts';
import { t } from './canvas.messages.ts';

const PORT_CLASS = '!h-2.5 !w-2.5 !rounded-[3px] !border !border-slate-500 !bg-slate-200 hover:!bg-orange-400';

function FlowNodeBody(props: {
  id: string;
  label: string;
  inputs: number;
  outputs: number;
  outputLabels?: readonly string[] | undefined;
  color: string;
  disabled: boolean;
  selected: boolean;
  unknown: boolean;
  iconRight: boolean;
  icon?: string | undefined;
  /** An inject node: it gets Node-RED's button to fire it. */
  injectable?: boolean;
  /** A code node this user may not change (no `flows:code`): marked with a lock. */
  locked?: boolean;
  /** A flow endpoint anyone may call without signing in: marked so it is not public by accident. */
  publicEndpoint?: boolean;
  /** Drawn as its icon alone, as Node-RED draws a node whose label is hidden (link nodes by default). */
  labelHidden?: boolean;
}) {
  const { id, label, inputs, outputs, outputLabels, color, disabled, selected, unknown } = props;
  // The body keeps Node-RED's fixed colour in both themes, so its label keeps a fixed dark ink (not the palette's).
  const border = selected ? 'border-2 border-orange-500' : unknown ? 'border-2 border-dashed border-red-600' : 'border border-slate-500';
  return (
    <div
      data-testid="flow-node" data-label={label}
      className={`relative flex ${props.labelHidden ? 'w-[30px]' : 'min-w-[100px]'} items-stretch rounded-[5px] text-[13px] text-[#1e293b] ${border} ${disabled ? 'opacity-50' : ''}`}
      style={{ height: nodeHeight(Math.max(inputs, outputs)), background: unknown ? '#fff0f0' : color }}
      title={props.labelHidden ? label : undefined}
    >
      {props.labelHidden ? (
        <IconBand icon={props.icon} side="alone" />
      ) : (
        <>
          {!props.iconRight && <IconBand icon={props.icon} side="left" />}
          <span className={`flex items-center whitespace-nowrap px-2.5 ${unknown ? 'italic text-red-800' : ''}`}>{label}</span>
          {props.iconRight && <IconBand icon={props.icon} side="right" />}
        </>
      )}
      {inputs > 0 && <Handle type="target" position={Position.Left} className={PORT_CLASS} />}
      {Array.from({ length: outputs }, (_, port) => {
        const portLabel = outputLabels?.[port];
        return (
          <Handle
            key={port} id={outputHandle(port)} type="source" position={Position.Right}
            className={`group ${PORT_CLASS}`} style={{ top: portTop(port, outputs) }}
            title={portLabel || t('node.output', { n: port + 1 })}
          >
            {outputs > 1 && portLabel && (
              <span className="pointer-events-none absolute left-3 top-1/2 hidden -translate-y-1/2 whitespace-nowrap rounded bg-slate-700 px-1 text-[10px] text-white group-hover:block">
                {portLabel}
              </span>
            )}
          </Handle>
        );
      })}
      {props.injectable && <InjectButton id={id} label={label} disabled={disabled} />}
      {props.locked && (
        <span
          role="img" aria-label={t('node.locked')} title={t('node.lockedTitle')}
          className="absolute -left-1.5 -top-2 flex h-4 w-4 items-center justify-center rounded-full border border-amber-500 bg-amber-100 text-[9px] text-amber-900"
        >
          <i aria-hidden className="fa fa-lock" />
        </span>
      )}
      {props.publicEndpoint && (
        <span
          data-testid="public-endpoint" title={t('node.publicTitle')}
          className="absolute -top-2 left-3 rounded border border-amber-500 bg-amber-100 px-1 text-[9px] font-semibold uppercase leading-[12px] tracking-wide text-amber-900"
        >
          {t('node.public')}
        </span>
      )}
      <NodeProblemMarker id={id} />
      <NodeStatusBadge id={id} />
    </div>
  );
}

/** The darker band at the node's end that holds its icon (the whole node when its label is hidden). */
function IconBand({ icon, side }: { icon: string | undefined; side: 'left' | 'right' | 'alone' }) {
  const edge = { left: 'w-[26px] rounded-l-[4px] border-r', right: 'ml-auto w-[26px] rounded-r-[4px] border-l', alone: 'w-full rounded-[4px]' }[side];
  return (
    <span aria-hidden className={`flex shrink-0 items-center justify-center border-black/10 bg-black/10 ${edge}`}>
      <NodeIcon icon={icon} />
    </span>
  );
}

/** A node of a type the runtime has. */
export const FlowNodeView = memo(function FlowNodeView({ id, data, selected }: NodeProps<FlowCanvasNode>) {
  const locked = useFlowStore((s) => s.catalog.isCodeLocked(data.node.type));
  return (
    <FlowNodeBody
      id={id} label={data.label} inputs={data.inputs} outputs={data.outputs} outputLabels={data.outputLabels}
      color={data.color ?? '#ddd'} icon={data.icon} disabled={data.disabled} selected={selected} unknown={false}
      injectable={data.node.type === 'inject'} locked={locked} publicEndpoint={isPublicEndpoint(data.node)} labelHidden={data.labelHidden}
      // Node-RED puts the icon on the right of nodes that only take messages in (debug, http response…).
      iconRight={data.inputs > 0 && data.outputs === 0}
    />
  );
});

/** A node of a type the runtime does not have: kept and exported as is, but it blocks deploy. */
export const UnknownNodeView = memo(function UnknownNodeView({ id, data, selected }: NodeProps<UnknownCanvasNode>) {
  return (
    <FlowNodeBody
      id={id} label={data.label} inputs={data.inputs} outputs={data.outputs} color="#fff0f0"
      disabled={data.disabled} selected={selected} unknown iconRight={false}
    />
  );
});

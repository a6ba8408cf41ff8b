/**
 * A node's runtime status under it, as Node-RED draws it: a dot (filled) or ring in the status colour and the text.
 */
import { useFlowEditor } from '../editor-context.tsx';
import { useNodeStatus } from '../live/use-node-status.ts';

const FILLS: Record<string, string> = {
  red: '#c00', green: '#5a8', yellow: '#F9DF31', blue: '#53A3F3', grey: '#d3d3d3', gray: '#d3d3d3',
};

/** The live status of node `id`; nothing while it has none. */
export function NodeStatusBadge({ id }: { id: string }) {
  const { live } = useFlowEditor();
  const status = useNodeStatus(live, id);
  if (!status || (!status.text && !status.fill)) return null;
  const color = FILLS[status.fill ?? ''] ?? FILLS.grey;
  return (
    <div data-testid="node-status" className="pointer-events-none absolute left-0 top-full mt-1 flex items-center gap-1 whitespace-nowrap text-[11px] text-slate-600">
      {status.fill && (
        <span
          aria-hidden className="inline-block h-[9px] w-[9px] rounded-[2px] border"
          style={status.shape === 'ring' ? { borderColor: color, borderWidth: 3 } : { background: color, borderColor: color }}
        />
      )}
      {status.text && <span>{status.text}</span>}
    </div>
  );
}

/**
 * A node's runtime status under it, as Node-RED draws it: a dot (filled) or ring in the status colour and the text.
 */
import { useFlowEditor } from '../editor-context.tsx';
import { useNodeStatus } from '../live/use-node-status.ts';
import { t } from './canvas.messages.ts';
import { currentLocale } from '../i18n.ts';

const FILLS: Record<string, string> = {
  red: '#c00', green: '#5a8', yellow: '#F9DF31', blue: '#53A3F3', grey: '#d3d3d3', gray: '#d3d3d3',
};

/** Node-RED's common statuses (`common.status.*`, which the server sends in English) by their English text. */
const COMMON_STATUSES = {
  connected: 'status.connected',
  'not connected': 'status.notConnected',
  disconnected: 'status.disconnected',
  connecting: 'status.connecting',
  error: 'status.error',
  OK: 'status.ok',
} as const;

/** The counts our nodes show (`2 stored`, `1 message`), by the word after the number. */
const COUNTS = {
  message: 'count.message', messages: 'count.message', stored: 'count.stored', refused: 'count.refused',
  'values skipped': 'count.skipped', queued: 'count.queued', valid: 'count.valid', invalid: 'count.invalid',
  waiting: 'count.waiting', delivered: 'count.delivered', failed: 'count.failed', active: 'count.active',
  acknowledged: 'count.acknowledged', started: 'count.started', report: 'count.report', reports: 'count.report',
} as const;

/** One comma-separated part of a status: a count of ours in the UI's language, anything else as it is. */
function statusPart(part: string): string {
  const last = /^last: (.*)$/.exec(part);
  if (last) {
    const upgrade = /^(\S+) (queued|notified|downloading|flashing|succeeded|failed|cancelled|timed out)$/.exec(last[1]!);
    return t('count.last', { what: upgrade ? `${upgrade[1]} ${t(`upgrade.${upgrade[2] as 'queued'}`)}` : last[1]! });
  }
  const count = /^([\d,]+) ([a-z ]+)$/.exec(part);
  if (!count || !Object.hasOwn(COUNTS, count[2]!)) return part;
  return t(COUNTS[count[2] as keyof typeof COUNTS], { n: Number(count[1]!.replaceAll(',', '')) });
}

/**
 * A status text in the UI's language: Node-RED's common statuses and our nodes' counts are translated; any other
 * text is the node's own. (The runtime writes English: the same flows run for users of every language.)
 */
export function statusText(text: string): string {
  const key = Object.hasOwn(COMMON_STATUSES, text) ? COMMON_STATUSES[text as keyof typeof COMMON_STATUSES] : undefined;
  if (key !== undefined) return t(key);
  return text.split(', ').map(statusPart).join(currentLocale() === 'zh-CN' ? '，' : ', ');
}

/** A status dot (filled) or ring in its colour. */
function StatusMark({ fill, shape }: { fill: string; shape: string | undefined }) {
  const color = FILLS[fill] ?? FILLS.grey;
  return (
    <span
      aria-hidden className="inline-block h-[9px] w-[9px] shrink-0 rounded-[2px] border"
      style={shape === 'ring' ? { borderColor: color, borderWidth: 3 } : { background: color, borderColor: color }}
    />
  );
}

/**
 * The live status of node `id`; nothing while it has none. In a cluster, a line per group of cluster nodes with the same
 * status (`n1: 3 connected`), the most alarming first: beside each other they would run into the next node's status.
 */
export function NodeStatusBadge({ id }: { id: string }) {
  const { live } = useFlowEditor();
  const status = useNodeStatus(live, id);
  if (!status || (!status.text && !status.fill)) return null;
  const line = 'flex items-center gap-1';
  return (
    <div data-testid="node-status" className="pointer-events-none absolute left-0 top-full mt-1 flex flex-col whitespace-nowrap text-[11px] text-slate-600">
      {status.byNode
        ? status.byNode.map((g) => (
          <div key={g.nodes.join(',')} className={line}>
            {g.fill && <StatusMark fill={g.fill} shape={g.shape} />}
            <span>{g.text ? `${g.nodes.join(', ')}: ${statusText(g.text)}` : g.nodes.join(', ')}</span>
          </div>
        ))
        : (
          <div className={line}>
            {status.fill && <StatusMark fill={status.fill} shape={status.shape} />}
            {status.text && <span>{statusText(status.text)}</span>}
          </div>
        )}
    </div>
  );
}

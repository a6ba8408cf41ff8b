/**
 * The alert rules of the deployed flows, for the rules overview (`GET /api/v1/alerts/rules`): every alert node of
 * every flow and subflow, with its trigger as data, whether it runs, and its open alerts.
 */
import type { AlertRuleSummary } from '../../domain/alerts/alert-schemas.ts';
import type { FlowNode } from '../../domain/flows/flow-json.ts';
import { alert as alertNode } from '../../nodes/alert/alert.def.ts';
import { ruleFromConfig } from '../../nodes/alert/alert.runtime.ts';
import { describeProblems, validateNodeConfig } from '../../nodes/kit/config-validator.ts';

/** What the overview needs of the engine. */
export interface RuleRuntime {
  /** The runtime ids of the rules running now (a rule in a subflow runs as `<instance>-<node>`, once per instance). */
  runningRuleIds: Iterable<string>;
  openCountsByRule: ReadonlyMap<string, { active: number; acknowledged: number }>;
}

/** Whether runtime rule `ruleId` is the drawn node `nodeId`, itself or as an instance of its subflow. */
const isRunOf = (ruleId: string, nodeId: string) => ruleId === nodeId || ruleId.endsWith(`-${nodeId}`);

/** Every alert node in `flows` (the deployed flows), in flow order, summarised. */
export function alertRuleSummaries(flows: readonly FlowNode[], runtime: RuleRuntime): AlertRuleSummary[] {
  const containers = new Map(flows.filter((n) => n.type === 'tab' || n.type === 'subflow').map((n) => [n.id, n]));
  const running = [...runtime.runningRuleIds];
  const counts = [...runtime.openCountsByRule];
  const summaries: AlertRuleSummary[] = [];
  for (const node of flows) {
    if (node.type !== alertNode.type) continue;
    const container = typeof node.z === 'string' ? containers.get(node.z) : undefined;
    if (!container) continue;
    const label = String(container['label'] ?? container['name'] ?? container.id);
    const open = { active: 0, acknowledged: 0 };
    for (const [ruleId, count] of counts) {
      if (!isRunOf(ruleId, node.id)) continue;
      open.active += count.active;
      open.acknowledged += count.acknowledged;
    }
    const checked = validateNodeConfig(alertNode, node);
    const raw = node as Record<string, unknown>;
    const disabled = raw['d'] === true || container['disabled'] === true;
    const isRunning = running.some((ruleId) => isRunOf(ruleId, node.id));
    const base = {
      nodeId: node.id,
      flow: { id: container.id, label, kind: container.type === 'subflow' ? 'subflow' as const : 'tab' as const },
      state: disabled ? 'disabled' as const : isRunning ? 'running' as const : 'stopped' as const,
      open,
    };
    if (!checked.ok) {
      // What the node says of itself, as far as it can be read.
      summaries.push({
        ...base,
        name: typeof raw['name'] === 'string' ? raw['name'] : '',
        severity: raw['severity'] === 'info' || raw['severity'] === 'critical' ? raw['severity'] : 'warning',
        productKey: typeof raw['product'] === 'string' ? raw['product'] : '',
        trigger: null,
        problem: describeProblems(checked.problems),
      });
      continue;
    }
    const rule = ruleFromConfig(checked.config, node);
    summaries.push({
      ...base,
      name: rule.name,
      severity: rule.severity,
      productKey: rule.productKey,
      trigger: rule.kind === 'threshold'
        ? { kind: 'threshold', property: rule.property, raise: rule.raise, forSeconds: rule.forMs / 1000, clear: rule.clear }
        : rule.kind === 'event'
          ? { kind: 'event', eventId: rule.eventId, eventType: rule.eventType, clearEventId: rule.clearEventId }
          : { kind: 'offline', offlineMinutes: rule.offlineMs / 60_000 },
    });
  }
  return summaries;
}

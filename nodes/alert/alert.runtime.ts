import type { AlertService, AlertTransition } from '../../domain/alerts/alert-service.ts';
import type { AlertCondition, AlertInput, AlertRule } from '../../domain/alerts/alert-rule.ts';
import type { ThingwireServices } from '../../domain/platform-services.ts';
import type { NodeConfig } from '../kit/define-node.ts';
import { implementNode } from '../kit/implement-node.ts';
import type { NodeMessage, NodeRedNode } from '../kit/node-red-api.ts';
import type { ThingMeta } from '../kit/thing-flow-message.ts';
import { throttledStatus } from '../kit/throttled-status.ts';
import { alert } from './alert.def.ts';

type Config = NodeConfig<typeof alert>;

/**
 * Runs the node's rule on the alert engine (`services.alerts`). Device messages go to the engine; what comes out is
 * the engine's transitions of this rule's alerts, whatever caused them (a message, a timer, an operator), minus
 * acknowledgements: downstream notifications hear of an alert when it is raised and when it is over, nothing else.
 */
export const alertNode = implementNode(alert, ({ config, node, services }) => {
  const alerts = alertServiceOf(services);
  const status = throttledStatus(node);
  const run = alerts.startRule(ruleFromConfig(config, node), (transition) => {
    if (transition.transition !== 'acknowledged') node.send(outputMessage(transition));
    showCounts();
  });
  function showCounts() {
    const { active, acknowledged } = run.openCounts();
    const text = acknowledged ? `${active} active, ${acknowledged} acknowledged` : `${active} active`;
    status.set({ fill: active ? 'red' : acknowledged ? 'yellow' : 'green', shape: 'dot', text });
  }
  // Shown once the rule has read its open alerts: a count of 0 before then could be wrong.
  void run.ready.then(showCounts);
  return {
    onInput(message, _send, done) {
      run.evaluate(alertInput(message));
      done();
    },
    onClose() {
      run.stop();
      status.dispose();
    },
  };
});

/**
 * The alert service from the platform services. Checked rather than assumed: a stock Node-RED whose settings file
 * builds the services may leave it out, and the node should then say so instead of failing on every message.
 */
function alertServiceOf(services: ThingwireServices): AlertService {
  const alerts = (services as ThingwireServices & { alerts?: AlertService }).alerts;
  if (!alerts) throw new Error('alert service not available (settings.thingwire.services.alerts)');
  return alerts;
}

/**
 * The engine's rule for this node. Its id is the node's runtime id: stable across deploys and restarts, so the rule
 * finds its open alerts again (inside a subflow instance it is `<instance>-<node>`, and `nodeId` the drawn node).
 */
export function ruleFromConfig(config: Config, node: Pick<NodeRedNode, 'id'>): AlertRule {
  const identity = {
    id: node.id,
    name: config.name,
    nodeId: (node as { _alias?: string })._alias ?? node.id,
    severity: config.severity,
    productKey: config.product,
    messageTemplate: config.message,
  };
  switch (config.trigger) {
    case 'threshold':
      return {
        ...identity,
        kind: 'threshold',
        property: config.property,
        raise: condition(config.operator, config.value, config.low, config.high),
        forMs: config.forSeconds * 1000,
        clear:
          config.clearOperator === 'auto'
            ? 'auto'
            : condition(config.clearOperator, config.clearValue, config.clearLow, config.clearHigh),
      };
    case 'event':
      return { ...identity, kind: 'event', eventId: config.event, eventType: config.eventType, clearEventId: config.clearEvent };
    case 'offline':
      return { ...identity, kind: 'offline', offlineMs: config.offlineMinutes * 60_000 };
  }
}

function condition(operator: Config['operator'], value: number, low: number, high: number): AlertCondition {
  return operator === 'between' || operator === 'outside'
    ? { operator, low, high }
    : { operator, value };
}

/** The engine's view of a device message; a message that is not one is a wiring mistake, reported to Catch nodes. */
function alertInput(message: NodeMessage): AlertInput {
  const thing = message['thing'] as Partial<ThingMeta> | undefined;
  if (typeof thing !== 'object' || thing === null || typeof thing.kind !== 'string' || !thing.productKey || !thing.deviceName) {
    throw new Error('not a device message: msg.thing with productKey, deviceName and kind is missing');
  }
  return {
    productKey: thing.productKey,
    deviceName: thing.deviceName,
    kind: thing.kind,
    ...(thing.eventId === undefined ? {} : { eventId: thing.eventId }),
    payload: message.payload,
    ...(thing.values === undefined ? {} : { values: thing.values }),
    ...(thing.deviceTime === undefined ? {} : { deviceTime: thing.deviceTime }),
    ...(thing.receivedAt === undefined ? {} : { receivedAt: thing.receivedAt }),
  };
}

function outputMessage({ transition, alert: current }: AlertTransition): NodeMessage {
  return { topic: `${current.productKey}/${current.deviceName}`, payload: { transition, alert: current } };
}

import type { Logger } from 'pino';
import { ApiError, conflict, notFound, validationFailed } from '../errors.ts';
import type { FlowNode, NodeRed } from './flow-runtime.ts';

/** A problem with one node of a flow, placed so the editor can show it on that node. */
export interface FlowProblem {
  nodeId?: string;
  type?: string;
  /** JSON pointer into the node's config, when the problem is one field. */
  path?: string;
  message: string;
}

// Structural types Node-RED handles itself; they are never "installed".
const builtInTypes = new Set(['tab', 'subflow', 'group', 'junction']);

/**
 * What a deploy replaces, as Node-RED's Admin API `Node-RED-Deployment-Type` header names it: `full` restarts every
 * flow; `flows` only the flows that changed; `nodes` only the nodes that changed (the editor's "modified nodes").
 */
export type DeploymentType = 'full' | 'flows' | 'nodes';

/**
 * Reads and deploys flows on the embedded runtime. Deploys are refused, with every problem listed, when the JSON is
 * not a flow, when a node type is not installed (Node-RED would otherwise start no flows at all), or when the rev is
 * stale (someone else deployed since; never overwrite their work).
 */
export class FlowService {
  constructor(
    private readonly red: NodeRed,
    private readonly logger: Logger,
    /** Checks one node's config against its definition (ours or a curated core node); [] when valid or unknown. */
    private readonly checkNodeConfig: (node: FlowNode) => FlowProblem[],
  ) {}

  /** Every node type the runtime has registered and enabled (core, ours, contrib), sorted. */
  installedTypes(): string[] {
    const types = new Set<string>();
    for (const set of this.red.nodes.getNodeList()) if (set.enabled !== false) for (const type of set.types) types.add(type);
    return [...types].sort();
  }

  /**
   * Fires an inject node of the running flows, as its button in Node-RED's editor does (the runtime's
   * `/inject/:id`). Only inject nodes: any other node would get an empty message it does not expect.
   */
  inject(nodeId: string, user: string): void {
    const node = this.red.nodes.getNode(nodeId);
    if (!node || node.type !== 'inject') {
      throw notFound('Running inject node', nodeId);
    }
    node.receive();
    this.logger.info({ nodeId, user }, 'inject node fired');
  }

  async get(): Promise<{ rev: string; flows: FlowNode[] }> {
    const { flows, rev } = await this.red.runtime.flows.getFlows({});
    return { rev, flows };
  }

  /**
   * Checks a flow without deploying it. `errors` block a deploy; `warnings` (invalid node configs) do not: such a
   * node deploys inert with a red status, exactly as the runtime would show it.
   */
  check(flows: unknown): { errors: FlowProblem[]; warnings: FlowProblem[] } {
    const errors: FlowProblem[] = [];
    const warnings: FlowProblem[] = [];
    if (!Array.isArray(flows)) return { errors: [{ message: 'flows must be an array of Node-RED nodes' }], warnings };
    const ids = new Set<string>();
    const subflows = new Set<string>();
    for (const n of flows) if (n && typeof n === 'object' && n.type === 'subflow' && typeof n.id === 'string') subflows.add(n.id);
    const missing = new Map<string, string[]>();
    flows.forEach((n: unknown, i) => {
      if (!n || typeof n !== 'object' || typeof (n as FlowNode).id !== 'string' || typeof (n as FlowNode).type !== 'string') {
        errors.push({ path: `/${i}`, message: `item ${i} is not a node: it needs string "id" and "type"` });
        return;
      }
      const node = n as FlowNode;
      if (ids.has(node.id)) errors.push({ nodeId: node.id, type: node.type, message: `duplicate node id "${node.id}"` });
      ids.add(node.id);
      if (node.wires !== undefined && !(Array.isArray(node.wires) && node.wires.every((w) => Array.isArray(w) && w.every((t) => typeof t === 'string')))) {
        errors.push({ nodeId: node.id, type: node.type, path: '/wires', message: 'wires must be an array of arrays of node ids' });
      }
      if (builtInTypes.has(node.type)) return;
      if (node.type.startsWith('subflow:')) {
        if (!subflows.has(node.type.slice(8))) errors.push({ nodeId: node.id, type: node.type, message: `subflow ${node.type.slice(8)} is not in this flow` });
        return;
      }
      if (!this.red.nodes.getType(node.type)) {
        const list = missing.get(node.type) ?? [];
        list.push(node.id);
        missing.set(node.type, list);
        return;
      }
      // Config nodes have no wires; a wired node without a position is one someone wrote by hand, and Node-RED would
      // run it as a config node (it then misroutes messages).
      if (node.wires !== undefined && node.z && (node.x === undefined || node.y === undefined)) {
        warnings.push({ nodeId: node.id, type: node.type, message: 'has wires but no x/y position: Node-RED treats it as a config node. Give it x and y.' });
      }
      warnings.push(...this.checkNodeConfig(node));
    });
    for (const [type, nodeIds] of missing) {
      errors.push({ type, message: `node type "${type}" is not installed (used by ${nodeIds.length} node${nodeIds.length > 1 ? 's' : ''}: ${nodeIds.slice(0, 5).join(', ')})` });
    }
    return { errors, warnings };
  }

  /**
   * Refuses (422, every problem listed) flows the runtime must not get: not flow JSON, or using node types that are not
   * installed. Answers the warnings (invalid node configs), which do not block a deploy. Every way in to the runtime
   * (this API and Node-RED's own admin API at `/red`) goes through here.
   */
  assertDeployable(flows: unknown): FlowProblem[] {
    const { errors, warnings } = this.check(flows);
    if (errors.length) {
      const missingTypes = errors.filter((e) => e.type && !e.nodeId).map((e) => e.type);
      if (missingTypes.length) {
        throw new ApiError(422, 'unknown_node_types', `These node types are not installed: ${missingTypes.join(', ')}. Nothing was deployed.`, errors);
      }
      throw validationFailed('The flow is not valid Node-RED flow JSON. Nothing was deployed.', errors);
    }
    return warnings;
  }

  /**
   * Deploys flows at `rev` (stale → 409; without a rev, whatever is deployed is replaced, as with Node-RED's API). `deploymentType` is passed to the runtime as the Admin API's
   * `Node-RED-Deployment-Type` would be: with `nodes` or `flows` only what changed restarts, so devices on untouched
   * flows see nothing.
   */
  async deploy(flows: unknown, rev: string | undefined, user: string, deploymentType: DeploymentType = 'full'): Promise<{ rev: string; warnings: FlowProblem[] }> {
    const warnings = this.assertDeployable(flows);
    // Node-RED resolves setFlows before the new flows have started; answer only once they run, so a caller can use
    // what it deployed (an HTTP endpoint, a listener) as soon as the deploy returns. A `nodes`/`flows` deploy that
    // changes nothing starts nothing; it still emits `flows:started` in Node-RED 4.1 (checked by a test).
    const started = this.#nextStart();
    try {
      const result = await this.red.runtime.flows.setFlows({
        flows: rev === undefined ? { flows } : { flows, rev },
        deploymentType,
        user: { username: user },
      });
      if (!(await started.promise)) {
        warnings.push({ message: `the flows did not report started within ${START_TIMEOUT_MS / 1000} s; check the node statuses` });
      }
      this.logger.info({ rev: result.rev, nodes: (flows as unknown[]).length, user, deploymentType, invalidNodes: warnings.length }, 'flows deployed');
      return { rev: result.rev, warnings };
    } catch (err) {
      started.cancel();
      if ((err as { code?: string }).code === 'version_mismatch') {
        const current = await this.get();
        throw conflict('flows_changed', 'The flows were changed since you loaded them (stale rev). Reload, merge your changes and deploy again.', { rev: current.rev });
      }
      throw err;
    }
  }

  /** Resolves true on the runtime's next `flows:started`, false after the timeout or when cancelled. */
  #nextStart(): { promise: Promise<boolean>; cancel(): void } {
    let cancel = () => {};
    const promise = new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.red.events.off('flows:started', onStarted);
        resolve(ok);
      };
      const onStarted = () => done(true);
      const timer = setTimeout(() => done(false), START_TIMEOUT_MS);
      this.red.events.on('flows:started', onStarted);
      cancel = () => done(false);
    });
    return { promise, cancel };
  }
}

const START_TIMEOUT_MS = 30_000;

import type { Logger } from 'pino';
import type { Permission } from '../../domain/auth/permissions.ts';
import { ApiError, conflict, notFound, validationFailed } from '../errors.ts';
import { canonicalJson, codeNodeChanges, HOST_NODE_FILES, type CodeNodeChange } from '../../domain/flows/code-nodes.ts';
import type { NodeRed } from './flow-runtime.ts';
import type { DeploymentType, DeployResult, FlowNode, FlowProblem } from '../../domain/flows/flow-json.ts';

// Structural types Node-RED handles itself; they are never "installed".
const builtInTypes = new Set(['tab', 'subflow', 'group', 'junction']);

/** Who deploys: a signed-in user (a `Principal`) or the platform itself. */
export interface DeployActor {
  username: string;
  permissions: ReadonlySet<Permission>;
}

/** The platform deploying its own flows (the first start's default pipeline, upgrades of stored flows). */
export const PLATFORM_ACTOR: DeployActor = { username: 'thingwire', permissions: new Set<Permission>(['flows:write', 'flows:code']) };

export interface FlowServiceOptions {
  /** Node types that run code or touch the host: adding or changing one takes `flows:code`. */
  codeTypes: ReadonlySet<string>;
  /**
   * Brings a node of ours saved by an older release to its definition's current version (its migrations), or answers
   * undefined when there is nothing to do. Deploys store flows at the current version, so a migration that moves a
   * secret into credentials takes it out of the flow JSON.
   */
  upgradeNode?(node: FlowNode): FlowNode | undefined;
  /** Appends to the audit log. */
  audit?(actor: string, action: string, target: string | null, details?: unknown): Promise<void>;
}

/** What a deploy changes, node by node, against what runs: for the audit log. */
export interface DeploySummary {
  nodes: number;
  added: number;
  changed: number;
  removed: number;
  codeNodes: CodeNodeChange[];
}

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
    private readonly options: FlowServiceOptions = { codeTypes: new Set() },
  ) {}

  /** The node types adding or changing takes `flows:code`, sorted. */
  codeTypes(): string[] {
    return [...this.options.codeTypes].sort();
  }

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
  async inject(nodeId: string, user: string): Promise<void> {
    const node = this.red.nodes.getNode(nodeId);
    if (!node || node.type !== 'inject') {
      throw notFound('Running inject node', nodeId);
    }
    node.receive();
    this.logger.info({ nodeId, user }, 'inject node fired');
    await this.options.audit?.(user, 'flows.inject', nodeId);
  }

  async get(): Promise<{ rev: string; flows: FlowNode[] }> {
    // Before the first deploy of a data dir there is no flow config at all.
    const current = await this.red.runtime.flows.getFlows({});
    return { rev: current?.rev ?? '', flows: current?.flows ?? [] };
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
      const used = `used by ${nodeIds.length} node${nodeIds.length > 1 ? 's' : ''}: ${nodeIds.slice(0, 5).join(', ')}`;
      errors.push({
        type,
        message: HOST_NODE_FILES[type]
          ? `node type "${type}" is a host node (it reaches the server's files or processes), not installed on this server unless it is started with --host-nodes (${used})`
          : `node type "${type}" is not installed (${used})`,
      });
    }
    return { errors, warnings };
  }

  /**
   * Makes flows ready for the runtime, or refuses them: brings our nodes to their current config version (in place),
   * refuses (422, every problem listed) what is not flow JSON or uses node types that are not installed, and refuses
   * (403, with the node ids) code nodes the actor adds or changes without `flows:code`. Answers the warnings (invalid
   * node configs, which do not block a deploy) and what the deploy changes. Every way in to the runtime (this API and
   * Node-RED's own admin API at `/red`) goes through here; `flows` may be one flow with the deployed subflows.
   */
  async prepare(flows: unknown, actor: DeployActor): Promise<{ warnings: FlowProblem[]; summary: DeploySummary }> {
    if (Array.isArray(flows) && this.options.upgradeNode) {
      for (const node of flows as unknown[]) {
        if (!node || typeof node !== 'object' || typeof (node as FlowNode).type !== 'string') continue;
        const upgraded = this.options.upgradeNode(node as FlowNode);
        // In place: the caller's body (the `/red` gate hands it on to Node-RED) must carry the upgraded node.
        if (upgraded) {
          for (const key of Object.keys(node)) delete (node as Record<string, unknown>)[key];
          Object.assign(node, upgraded);
        }
      }
    }
    const { errors, warnings } = this.check(flows);
    if (errors.length) {
      const missingTypes = errors.filter((e) => e.type && !e.nodeId).map((e) => e.type);
      if (missingTypes.length) {
        throw new ApiError(422, 'unknown_node_types', `These node types are not installed: ${missingTypes.join(', ')}. Nothing was deployed.`, errors);
      }
      throw validationFailed('The flow is not valid Node-RED flow JSON. Nothing was deployed.', errors);
    }
    const next = flows as FlowNode[];
    const deployed = (await this.get()).flows;
    const codeNodes = codeNodeChanges(next, deployed, this.options.codeTypes);
    if (codeNodes.length && !actor.permissions.has('flows:code')) {
      const list = codeNodes.slice(0, 10).map((c) => `${c.type} ${c.id} (${c.change})`).join(', ');
      throw new ApiError(
        403, 'forbidden',
        `Adding or changing code nodes takes the flows:code permission (admins, or engineers when the server allows it): ${list}${codeNodes.length > 10 ? ', …' : ''}. ` +
          'You may move, rewire or delete them. Nothing was deployed.',
        { permission: 'flows:code', nodes: codeNodes },
      );
    }
    return { warnings, summary: { ...diffCounts(next, deployed), codeNodes } };
  }

  /**
   * Deploys flows at `rev` (stale → 409; without a rev, whatever is deployed is replaced, as with Node-RED's API). `deploymentType` is passed to the runtime as the Admin API's
   * `Node-RED-Deployment-Type` would be: with `nodes` or `flows` only what changed restarts, so devices on untouched
   * flows see nothing. Audited with what changed.
   */
  async deploy(flows: unknown, rev: string | undefined, actor: DeployActor, deploymentType: DeploymentType = 'full'): Promise<DeployResult> {
    const { warnings, summary } = await this.prepare(flows, actor);
    const user = actor.username;
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
      await this.audited(user, 'flows.deploy', { via: 'api', deploymentType, rev: result.rev, ...summary });
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

  /**
   * Brings the stored flows to the current config versions of our nodes (a release moved a setting, or a secret into
   * credentials): redeploys the upgraded nodes only, as the platform. Answers how many nodes were upgraded.
   */
  async upgradeStored(): Promise<number> {
    const { flows, rev } = await this.get();
    const upgrade = this.options.upgradeNode;
    const upgraded = upgrade ? flows.filter((node) => upgrade(node)).length : 0;
    if (upgraded === 0) return 0;
    // The deploy runs the upgrades itself (prepare), on a copy: what getFlows answered is the runtime's own config.
    await this.deploy(structuredClone(flows), rev, { ...PLATFORM_ACTOR, username: 'thingwire (upgrade)' }, 'nodes');
    this.logger.info({ upgraded }, 'stored flows brought to the current node versions');
    return upgraded;
  }

  /** Audits a change to the flows: who, how, how many nodes and which code nodes changed. */
  async audited(user: string, action: string, details: Record<string, unknown> & Partial<DeploySummary>): Promise<void> {
    const { codeNodes, ...rest } = details;
    await this.options.audit?.(user, action, null, { ...rest, ...(codeNodes ? { codeNodesChanged: codeNodes.map((c) => `${c.id} (${c.type}, ${c.change})`) } : {}) });
  }

  /** Resolves true on the runtime's next `flows:started`, false after the timeout or when cancelled. */
  /**
   * Loads the flows saved in storage again and runs them: in a cluster, after another node deployed into the shared
   * database. Resolves once they run, with their rev (the same on every node: a hash of the same flows).
   */
  async reload(): Promise<string> {
    const started = this.#nextStart();
    try {
      await this.red.nodes.loadFlows(true);
    } catch (err) {
      started.cancel();
      throw err;
    }
    if (!(await started.promise)) this.logger.warn('the flows loaded from storage did not report started in time; check the node statuses');
    const { rev } = await this.get();
    this.logger.info({ rev }, 'flows loaded from storage (deployed on another node)');
    return rev;
  }

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

/** How many nodes a deploy adds, changes and removes against what runs. */
function diffCounts(next: readonly FlowNode[], deployed: readonly FlowNode[]): Omit<DeploySummary, 'codeNodes'> {
  const before = new Map(deployed.map((node) => [node.id, canonicalJson(node)]));
  let added = 0;
  let changed = 0;
  for (const node of next) {
    const old = before.get(node.id);
    if (old === undefined) added++;
    else {
      before.delete(node.id);
      if (old !== canonicalJson(node)) changed++;
    }
  }
  return { nodes: next.length, added, changed, removed: before.size };
}

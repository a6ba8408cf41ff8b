/**
 * One deploy, start to end, without React: the store's deploy body (refused here, before any request, when the flows
 * use types the runtime lacks), `POST /api/v1/flows` with the rev the editor loaded, and what came of it. A stale rev
 * is never overwritten silently: the answer is a conflict carrying the server's current flows and what each side
 * changed, for the user to choose. Browser-safe.
 */
import type { DeployResult, DeploymentType, FlowSet } from '../../domain/flows/flow-json.ts';
import { isEditorApiError, type EditorApi } from '../editor-api.ts';
import type { FlowConflictSummary } from '../model/flow-diff.ts';
import { FlowDeployBlockedError, type FlowStore } from '../model/flow-store.ts';
import type { NodeRedNode } from '../model/flow-codec.ts';

export type { DeploymentType };

/** The server's flows at the moment a deploy met a newer rev. */
export type ServerFlows = FlowSet<NodeRedNode>;

export type DeployOutcome =
  | ({ status: 'deployed' } & DeployResult)
  | { status: 'unchanged' }
  | { status: 'blocked'; message: string; types: readonly string[] }
  | { status: 'conflict'; server: ServerFlows; summary: FlowConflictSummary }
  | { status: 'failed'; message: string };

export interface DeployOptions {
  type?: DeploymentType;
  /** Deploy over this rev instead of the loaded one: the user chose to overwrite what the server has now. */
  overwriteRev?: string;
}

/** Deploys the store's flows; on success they become its baseline at the new rev. */
export async function deployFlows(store: FlowStore, api: EditorApi, options: DeployOptions = {}): Promise<DeployOutcome> {
  const state = store.getState();
  if (options.type !== undefined && options.type !== 'full' && options.overwriteRev === undefined && !state.isDirty()) {
    return { status: 'unchanged' };
  }
  let request;
  try {
    request = state.deployRequest();
  } catch (err) {
    if (err instanceof FlowDeployBlockedError) return { status: 'blocked', message: err.message, types: err.types };
    throw err;
  }
  const rev = options.overwriteRev ?? request.rev ?? undefined;
  try {
    const result = await api.request<{ rev: string; warnings?: { nodeId?: string; message: string }[] }>('POST', '/flows', {
      flows: request.flows,
      ...(rev === undefined ? {} : { rev }),
      deploymentType: options.type ?? 'full',
    });
    store.getState().markDeployed(result.rev);
    return { status: 'deployed', rev: result.rev, warnings: result.warnings ?? [] };
  } catch (err) {
    if (isEditorApiError(err) && err.status === 409) {
      const server = await api.get<ServerFlows>('/flows');
      return { status: 'conflict', server, summary: store.getState().diffSummary(server.flows) };
    }
    if (isEditorApiError(err) && err.code === 'unknown_node_types') {
      const types = Array.isArray(err.details) ? err.details.map((d: { type?: string }) => d.type).filter((t): t is string => typeof t === 'string') : [];
      return { status: 'blocked', message: err.message, types };
    }
    return { status: 'failed', message: err instanceof Error ? err.message : String(err) };
  }
}

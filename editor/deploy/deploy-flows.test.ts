import { describe, expect, it } from 'vitest';
import type { EditorApi } from '../editor-api.ts';
import { createFlowStore } from '../model/flow-store.ts';
import { deployFlows } from './deploy-flows.ts';

const flows = [
  { id: 't1', type: 'tab', label: 'Flow 1' },
  { id: 'i1', type: 'inject', z: 't1', name: 'tick', x: 100, y: 100, wires: [['d1']] },
  { id: 'd1', type: 'debug', z: 't1', name: 'show', x: 300, y: 100, wires: [] },
];

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown) {
    super(message);
  }
}

/** What a deploy sends (the fields these tests read). */
type DeployBody = { rev: string; deploymentType?: string; flows: { label?: string }[] };

/** An API that answers deploys from a script and records what was sent. */
function fakeApi(answer: (body: unknown) => unknown, server = { flows, rev: 'rev-2' }) {
  const sent: DeployBody[] = [];
  const api: EditorApi = {
    get: async <T,>() => server as T,
    request: async <T,>(_method: string, _path: string, body?: unknown) => {
      sent.push(body as DeployBody);
      return answer(body) as T;
    },
  };
  return { api, sent };
}

describe('deployFlows', () => {
  it('sends the loaded rev and the deployment type, then makes the flows the baseline at the new rev', async () => {
    const store = createFlowStore({ flows, rev: 'rev-1' });
    store.getState().renameTab('t1', 'Renamed');
    const { api, sent } = fakeApi(() => ({ rev: 'rev-2', warnings: [] }));
    expect(await deployFlows(store, api, { type: 'nodes' })).toEqual({ status: 'deployed', rev: 'rev-2', warnings: [] });
    expect(sent[0]).toMatchObject({ rev: 'rev-1', deploymentType: 'nodes' });
    expect(sent[0]!.flows[0]!.label).toBe('Renamed');
    expect(store.getState().isDirty()).toBe(false);
    expect(store.getState().loadedRev).toBe('rev-2');
  });

  it('answers a stale rev with the server’s flows and what they changed, never overwriting', async () => {
    const store = createFlowStore({ flows, rev: 'rev-1' });
    store.getState().renameTab('t1', 'Mine');
    const theirs = { flows: flows.filter((n) => n.id !== 'd1'), rev: 'rev-3' };
    const { api, sent } = fakeApi(() => { throw new HttpError(409, 'flows_changed', 'stale'); }, theirs);
    const outcome = await deployFlows(store, api);
    expect(outcome.status).toBe('conflict');
    if (outcome.status !== 'conflict') return;
    expect(outcome.server.rev).toBe('rev-3');
    expect(outcome.summary.theirs.removed.map((e) => e.label)).toEqual(['show']);
    expect(sent).toHaveLength(1);
    expect(store.getState().isDirty()).toBe(true);

    const { api: again, sent: resent } = fakeApi(() => ({ rev: 'rev-4' }));
    expect(await deployFlows(store, again, { overwriteRev: 'rev-3' })).toMatchObject({ status: 'deployed', rev: 'rev-4' });
    expect(resent[0]!.rev).toBe('rev-3');
  });

  it('refuses before sending anything when the flows use uninstalled types, naming them', async () => {
    const store = createFlowStore({ flows: [...flows, { id: 'g1', type: 'ui_gauge', z: 't1', x: 1, y: 1, wires: [] }], rev: 'rev-1' });
    const { api, sent } = fakeApi(() => ({ rev: 'x' }));
    const outcome = await deployFlows(store, api);
    expect(outcome).toMatchObject({ status: 'blocked', types: ['ui_gauge'] });
    expect(sent).toEqual([]);
  });

  it('does nothing for a "modified only" deploy without changes', async () => {
    const { api, sent } = fakeApi(() => ({ rev: 'x' }));
    expect(await deployFlows(createFlowStore({ flows, rev: 'rev-1' }), api, { type: 'nodes' })).toEqual({ status: 'unchanged' });
    expect(sent).toEqual([]);
  });
});

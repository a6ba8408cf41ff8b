import { describe, expect, it } from 'vitest';
import { createFlowStore } from '../model/flow-store.ts';
import group from '../model/fixtures/group.json' with { type: 'json' };
import unknownContrib from '../model/fixtures/unknown-contrib.json' with { type: 'json' };
import { replaceFlows } from './replace-flows.ts';

describe('replacing all flows by an import', () => {
  it('shows the imported flows as given, dirty against what was loaded, at the loaded rev', () => {
    const store = createFlowStore({ flows: group, rev: 'rev-7' });
    replaceFlows(store, unknownContrib);
    expect(store.getState().toFlows()).toEqual(unknownContrib);
    expect(store.getState().loadedRev).toBe('rev-7');
    expect(store.getState().isDirty()).toBe(true);
    expect(store.getState().diffSummary(group).ours.removed.length).toBeGreaterThan(0);
  });

  it('refuses text that is not flow JSON and keeps the flows', () => {
    const store = createFlowStore({ flows: group, rev: 'rev-7' });
    expect(() => replaceFlows(store, { not: 'flows' })).toThrow();
    expect(store.getState().toFlows()).toEqual(group);
  });
});

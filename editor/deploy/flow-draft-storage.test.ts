import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFlowStore } from '../model/flow-store.ts';
import { DRAFT_KEY, pendingDraft, watchDraft } from './flow-draft-storage.ts';

const flows = [{ id: 't1', type: 'tab', label: 'Flow 1' }, { id: 'c1', type: 'comment', z: 't1', name: 'note', x: 100, y: 100, wires: [] }];

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('the local flow draft', () => {
  it('is kept while there are unsaved changes and restores them after a reload', () => {
    const storage = memoryStorage();
    const store = createFlowStore({ flows, rev: 'rev-1' });
    const stop = watchDraft(store, storage, 100);
    store.getState().renameTab('t1', 'Edited');
    vi.advanceTimersByTime(100);
    expect(storage.items.has(DRAFT_KEY)).toBe(true);

    const pending = pendingDraft(storage, 'rev-1')!;
    expect(pending.revMatches).toBe(true);
    const reloaded = createFlowStore({ flows, rev: 'rev-1' });
    reloaded.getState().restoreDraft(pending.text);
    expect(reloaded.getState().toFlows()[0]).toMatchObject({ label: 'Edited' });
    expect(reloaded.getState().isDirty()).toBe(true);
    expect(pendingDraft(storage, 'rev-2')!.revMatches).toBe(false);

    store.getState().undo();
    vi.advanceTimersByTime(100);
    expect(storage.items.has(DRAFT_KEY)).toBe(false);
    stop();
  });

  it('drops a draft it cannot read', () => {
    const storage = memoryStorage();
    storage.setItem(DRAFT_KEY, '{"format":"something else"}');
    expect(pendingDraft(storage, 'rev-1')).toBeNull();
    expect(storage.items.has(DRAFT_KEY)).toBe(false);
  });
});

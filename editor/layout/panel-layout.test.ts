import { describe, expect, it } from 'vitest';
import { createLayoutStore, defaultLayout, LAYOUT_KEY, SIDEBAR_WIDTH } from './panel-layout.ts';

/** localStorage as a Map, optionally full (setItem throws, as a full or disabled storage does). */
function memoryStorage(full = false) {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem(key: string, value: string) {
      if (full) throw new Error('QuotaExceededError');
      items.set(key, value);
    },
  };
}

describe('the editor’s panel layout', () => {
  it('opens with the palette and sidebar, the navigation as icons and the minimap, the sidebar a fifth of the window within bounds', () => {
    expect(defaultLayout(1280)).toMatchObject({ nav: false, palette: true, sidebar: true, minimap: true, sidebarWidth: 256 });
    expect(defaultLayout(820).sidebarWidth).toBe(SIDEBAR_WIDTH.min);
    expect(defaultLayout(3000).sidebarWidth).toBe(SIDEBAR_WIDTH.defaultMax);
  });

  it('remembers what was opened, closed and resized for the next page', () => {
    const storage = memoryStorage();
    const layout = createLayoutStore(storage, 1280);
    let changes = 0;
    layout.subscribe(() => changes++);
    layout.toggle('palette');
    layout.toggle('minimap');
    layout.setSidebarWidth(400.4);
    expect(changes).toBe(3);
    expect(createLayoutStore(storage, 1280).get()).toMatchObject({ palette: false, sidebar: true, minimap: false, sidebarWidth: 400 });
  });

  it('focuses the canvas in one step and brings back what was open, not what was not', () => {
    const layout = createLayoutStore(memoryStorage(), 1280);
    layout.toggle('palette');
    layout.toggleFocus();
    expect(layout.get()).toMatchObject({ nav: false, palette: false, sidebar: false, minimap: true });
    layout.toggleFocus();
    expect(layout.get()).toMatchObject({ nav: false, palette: false, sidebar: true, beforeFocus: null });
    // Opening a panel by hand leaves focus mode; focusing with everything closed already brings the panels back.
    layout.toggleFocus();
    layout.toggle('sidebar');
    expect(layout.get().beforeFocus).toBeNull();
    layout.toggle('sidebar');
    layout.toggleFocus();
    expect(layout.get()).toMatchObject({ palette: true, sidebar: true });
  });

  it('ignores a stored layout it cannot read and keeps the sidebar within bounds; a full storage only forgets', () => {
    for (const junk of ['{', '"text"', 'null', '[1]', JSON.stringify({ palette: 'yes', sidebarWidth: 'wide', beforeFocus: { nav: 1 } })]) {
      const storage = memoryStorage();
      storage.items.set(LAYOUT_KEY, junk);
      expect(createLayoutStore(storage, 1280).get()).toEqual(defaultLayout(1280));
    }
    const storage = memoryStorage();
    storage.items.set(LAYOUT_KEY, JSON.stringify({ sidebarWidth: 1e9 }));
    const layout = createLayoutStore(storage, 1280);
    expect(layout.get().sidebarWidth).toBe(SIDEBAR_WIDTH.max);
    layout.setSidebarWidth(Number.NaN);
    layout.setSidebarWidth(-5);
    expect(layout.get().sidebarWidth).toBe(SIDEBAR_WIDTH.min);

    const full = createLayoutStore(memoryStorage(true), 1280);
    full.toggle('sidebar');
    expect(full.get().sidebar).toBe(false);
  });
});

/**
 * Which panels around the flow canvas are open (the app's navigation on the Flows page, the palette, the sidebar, the
 * minimap) and how wide the sidebar is, remembered in localStorage so the editor opens as the user left it. "Focus
 * canvas" closes the navigation, palette and sidebar at once and brings back what was open. Browser-safe, no React:
 * the storage is passed in, so tests use a Map.
 */

/** The localStorage key of the layout. */
export const LAYOUT_KEY = 'thingwire.flow-editor.layout';

/** A panel that can be opened and closed. */
export type PanelName = 'nav' | 'palette' | 'sidebar' | 'minimap';

export interface PanelLayout {
  /** The app's section navigation on the Flows page: open shows its labels, closed narrows it to icons. */
  nav: boolean;
  palette: boolean;
  sidebar: boolean;
  minimap: boolean;
  /** The sidebar's width in CSS pixels, between {@link SIDEBAR_WIDTH}'s bounds. */
  sidebarWidth: number;
  /** What focus mode closed, to bring back; null when not in focus mode. */
  beforeFocus: Pick<PanelLayout, 'nav' | 'palette' | 'sidebar'> | null;
}

/** The sidebar's width bounds; the default is a fifth of the window within them. */
export const SIDEBAR_WIDTH = { min: 240, max: 640, defaultMax: 360 } as const;

/** What a user who never changed the layout sees: a window of `windowWidth` px gets a narrower sidebar. */
export function defaultLayout(windowWidth: number): PanelLayout {
  return {
    nav: false, palette: true, sidebar: true, minimap: true,
    sidebarWidth: clampSidebar(Math.round(windowWidth / 5), SIDEBAR_WIDTH.defaultMax), beforeFocus: null,
  };
}

function clampSidebar(width: number, max: number = SIDEBAR_WIDTH.max): number {
  return Math.min(max, Math.max(SIDEBAR_WIDTH.min, Math.round(width)));
}

/** The remembered layout over `fallback`; anything unreadable or out of bounds in storage is ignored, never thrown. */
export function readLayout(storage: Pick<Storage, 'getItem'>, fallback: PanelLayout): PanelLayout {
  let stored: unknown;
  try {
    stored = JSON.parse(storage.getItem(LAYOUT_KEY) ?? 'null');
  } catch {
    return fallback;
  }
  if (typeof stored !== 'object' || stored === null) return fallback;
  const s = stored as Record<string, unknown>;
  const flag = (name: PanelName) => (typeof s[name] === 'boolean' ? (s[name] as boolean) : fallback[name]);
  const width = typeof s.sidebarWidth === 'number' && Number.isFinite(s.sidebarWidth) ? clampSidebar(s.sidebarWidth) : fallback.sidebarWidth;
  const before = s.beforeFocus as Record<string, unknown> | null | undefined;
  const beforeFocus = before && typeof before === 'object' && ['nav', 'palette', 'sidebar'].every((k) => typeof before[k] === 'boolean')
    ? { nav: before.nav as boolean, palette: before.palette as boolean, sidebar: before.sidebar as boolean }
    : null;
  return { nav: flag('nav'), palette: flag('palette'), sidebar: flag('sidebar'), minimap: flag('minimap'), sidebarWidth: width, beforeFocus };
}

/** Whether the navigation, palette and sidebar are all closed. */
export function isFocused(layout: PanelLayout): boolean {
  return !layout.nav && !layout.palette && !layout.sidebar;
}

/** One layout, remembered; `subscribe` and `get` fit React's `useSyncExternalStore`. */
export interface LayoutStore {
  get(): PanelLayout;
  subscribe(listener: () => void): () => void;
  toggle(panel: PanelName): void;
  setSidebarWidth(width: number): void;
  /** Closes the navigation, palette and sidebar; in focus mode, opens again what focus closed (or all three). */
  toggleFocus(): void;
}

/**
 * A layout kept in `storage` (a storage that throws, as a full or disabled one does, only loses the remembering).
 * `windowWidth` picks the defaults for a user who never changed the layout.
 */
export function createLayoutStore(storage: Pick<Storage, 'getItem' | 'setItem'>, windowWidth: number): LayoutStore {
  let layout = readLayout(storage, defaultLayout(windowWidth));
  const listeners = new Set<() => void>();
  const set = (next: PanelLayout) => {
    layout = next;
    try {
      storage.setItem(LAYOUT_KEY, JSON.stringify(layout));
    } catch {
      // Private mode or a full storage: the layout still changes, it is only not remembered.
    }
    for (const listener of listeners) listener();
  };
  return {
    get: () => layout,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    toggle(panel) {
      const next = { ...layout, [panel]: !layout[panel] };
      // Opening a panel by hand ends focus mode: there is nothing left to bring back.
      set(panel === 'minimap' ? next : { ...next, beforeFocus: next[panel] ? null : layout.beforeFocus });
    },
    setSidebarWidth(width) {
      if (!Number.isFinite(width)) return;
      const clamped = clampSidebar(width);
      if (clamped !== layout.sidebarWidth) set({ ...layout, sidebarWidth: clamped });
    },
    toggleFocus() {
      if (isFocused(layout)) {
        const back = layout.beforeFocus;
        set({ ...layout, ...(back && !isFocused({ ...layout, ...back }) ? back : { palette: true, sidebar: true }), beforeFocus: null });
      } else {
        set({ ...layout, nav: false, palette: false, sidebar: false, beforeFocus: { nav: layout.nav, palette: layout.palette, sidebar: layout.sidebar } });
      }
    },
  };
}

/**
 * The buttons that open and close the panels around the canvas: the strip a closed palette or sidebar leaves at its
 * edge (a click opens it), the button in an open panel's header that closes it, and "Focus canvas" in the toolbar,
 * which closes the navigation, palette and sidebar at once (again: brings them back) and owns the layout's keys.
 */
import { isFocused, type PanelName } from './panel-layout.ts';
import { useLayoutShortcuts } from './use-layout-shortcuts.ts';
import { layoutStore, usePanelLayout } from './use-panel-layout.ts';
import { t } from '../editor.messages.ts';

type SidePanel = Extract<PanelName, 'palette' | 'sidebar'>;

const SHORTCUTS: Record<SidePanel, string> = { palette: 'Ctrl+P', sidebar: 'Ctrl+Space' };
const NAMES = { palette: 'panel.palette', sidebar: 'panel.sidebar' } as const satisfies Record<SidePanel, string>;

/** The strip a closed panel leaves at the canvas's `side`: one button that opens the panel. */
export function PanelStrip({ panel, side }: { panel: SidePanel; side: 'left' | 'right' }) {
  return (
    <button
      type="button" onClick={() => layoutStore().toggle(panel)} aria-label={t('panel.show', { panel: t(NAMES[panel]) })} title={t('panel.showTitle', { panel: t(NAMES[panel]), keys: SHORTCUTS[panel] })}
      className={`flex w-6 shrink-0 flex-col items-center gap-2 bg-slate-50 py-2 text-xs text-slate-500 hover:bg-slate-100 hover:text-slate-800 ${side === 'left' ? 'border-r' : 'border-l'} border-slate-200`}
    >
      <i aria-hidden className={`fa ${side === 'left' ? 'fa-angle-double-right' : 'fa-angle-double-left'}`} />
      <span aria-hidden className="select-none font-medium uppercase tracking-wide [writing-mode:vertical-rl]">{t(NAMES[panel])}</span>
    </button>
  );
}

/** The small button in an open panel's header that closes it. */
export function PanelCloseButton({ panel, side }: { panel: SidePanel; side: 'left' | 'right' }) {
  return (
    <button
      type="button" onClick={() => layoutStore().toggle(panel)} aria-label={t('panel.hide', { panel: t(NAMES[panel]) })} title={t('panel.hideTitle', { panel: t(NAMES[panel]), keys: SHORTCUTS[panel] })}
      className="flex h-7 w-6 shrink-0 items-center justify-center rounded text-slate-400 hover:bg-slate-200 hover:text-slate-800"
    >
      <i aria-hidden className={`fa ${side === 'left' ? 'fa-angle-double-left' : 'fa-angle-double-right'}`} />
    </button>
  );
}

/** "Focus canvas" for the editor's toolbar; installs the layout's keyboard shortcuts while shown. */
export function FocusCanvasButton() {
  useLayoutShortcuts();
  const focused = isFocused(usePanelLayout());
  return (
    <button
      type="button" onClick={() => layoutStore().toggleFocus()} aria-pressed={focused}
      title={focused ? t('panel.unfocusTitle') : t('panel.focusTitle')}
      className={`rounded border px-2 py-1 text-sm ${focused ? 'border-sky-300 bg-sky-50 text-sky-900 hover:bg-sky-100' : 'border-slate-300 hover:bg-slate-100'}`}
    >
      <i aria-hidden className={`fa ${focused ? 'fa-compress' : 'fa-expand'} mr-1`} />
      {t('panel.focus')}
    </button>
  );
}

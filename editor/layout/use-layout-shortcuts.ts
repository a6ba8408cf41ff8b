/**
 * The layout's keys, Node-RED's where it has them: Ctrl+Space shows or hides the sidebar, Ctrl+P the palette (the
 * browser's print is not wanted on the canvas), Ctrl+Shift+Space focuses the canvas (closes the navigation, palette and
 * sidebar, or brings them back). Keys typed into a field are the field's.
 */
import { useEffect } from 'react';
import { isTyping } from '../canvas/use-editor-shortcuts.ts';
import { layoutStore } from './use-panel-layout.ts';

/** Installs the layout's shortcuts on the window while the editor is mounted. */
export function useLayoutShortcuts(): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || isTyping(event.target)) return;
      const layout = layoutStore();
      if (event.code === 'Space') {
        event.preventDefault();
        if (event.shiftKey) layout.toggleFocus();
        else layout.toggle('sidebar');
      } else if (event.key.toLowerCase() === 'p' && !event.shiftKey) {
        event.preventDefault();
        layout.toggle('palette');
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}

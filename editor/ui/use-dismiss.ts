/**
 * How every popup of the editor closes, as Node-RED's menus do: Escape, or a press anywhere outside it. Used by the
 * Deploy menu, the tab menu, the canvas's context menu and quick-add.
 */
import { useEffect, type RefObject } from 'react';

/**
 * While `open`, calls `onDismiss` on Escape and on a pointer press outside `ref`, except on the button that toggles it
 * (the one with `aria-expanded="true"`), which handles its own click.
 */
export function useDismiss(ref: RefObject<HTMLElement | null>, open: boolean, onDismiss: () => void): void {
  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      event.stopPropagation();
      onDismiss();
    };
    const onPointer = (event: PointerEvent) => {
      const target = event.target as Element | null;
      if (target && (ref.current?.contains(target) || target.closest?.('[aria-expanded="true"]'))) return;
      onDismiss();
    };
    window.addEventListener('keydown', onKey, true);
    // Capture: React Flow's pane stops some pointer events from bubbling.
    window.addEventListener('pointerdown', onPointer, true);
    return () => {
      window.removeEventListener('keydown', onKey, true);
      window.removeEventListener('pointerdown', onPointer, true);
    };
  }, [ref, open, onDismiss]);
}

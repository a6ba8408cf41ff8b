/**
 * The sidebar's left edge, dragged to make it wider or narrower (remembered); the arrow keys do the same by 16 px.
 */
import type { KeyboardEvent, PointerEvent } from 'react';
import { SIDEBAR_WIDTH } from './panel-layout.ts';
import { layoutStore, usePanelLayout } from './use-panel-layout.ts';
import { t } from '../editor.messages.ts';

export function SidebarResizeHandle() {
  const { sidebarWidth } = usePanelLayout();
  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    if (event.button !== 0) return;
    event.preventDefault();
    const handle = event.currentTarget;
    handle.setPointerCapture(event.pointerId);
    const startX = event.clientX;
    const startWidth = layoutStore().get().sidebarWidth;
    const onMove = (move: globalThis.PointerEvent) => layoutStore().setSidebarWidth(startWidth + startX - move.clientX);
    const onUp = () => {
      handle.removeEventListener('pointermove', onMove);
      handle.removeEventListener('pointerup', onUp);
      handle.removeEventListener('pointercancel', onUp);
    };
    handle.addEventListener('pointermove', onMove);
    handle.addEventListener('pointerup', onUp);
    handle.addEventListener('pointercancel', onUp);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const step = event.key === 'ArrowLeft' ? 16 : event.key === 'ArrowRight' ? -16 : 0;
    if (step === 0) return;
    event.preventDefault();
    layoutStore().setSidebarWidth(sidebarWidth + step);
  };
  return (
    <div
      role="separator" aria-orientation="vertical" aria-label={t('panel.sidebarWidth')} tabIndex={0}
      aria-valuenow={sidebarWidth} aria-valuemin={SIDEBAR_WIDTH.min} aria-valuemax={SIDEBAR_WIDTH.max}
      onPointerDown={onPointerDown} onKeyDown={onKeyDown} title={t('panel.resizeTitle')}
      className="absolute inset-y-0 -left-1 z-10 w-2 cursor-col-resize touch-none hover:bg-sky-400/30 focus-visible:bg-sky-400/40 focus-visible:outline-none"
    />
  );
}

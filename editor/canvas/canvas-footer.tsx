/**
 * The bar under the canvas, as Node-RED's workspace footer: zoom out, the zoom (click: 100 %), zoom in, fit to view,
 * and the minimap shown or hidden. Below the canvas rather than over it, so it never covers a node.
 */
import { useStore, useReactFlow, type ReactFlowState } from '@xyflow/react';
import { layoutStore, usePanelLayout } from '../layout/use-panel-layout.ts';
import { t } from './canvas.messages.ts';

const selectZoom = (s: ReactFlowState) => s.transform[2];

/** The footer; `onFit` shows the whole flow of the tab. */
export function CanvasFooter({ onFit }: { onFit(): void }) {
  const zoom = useStore(selectZoom);
  const { zoomIn, zoomOut, zoomTo } = useReactFlow();
  const { minimap } = usePanelLayout();
  const button = 'flex h-6 min-w-6 items-center justify-center rounded px-1.5 text-slate-600 hover:bg-slate-100 hover:text-slate-900';
  return (
    <div role="toolbar" aria-label={t('footer.label')} className="flex h-7 shrink-0 items-center justify-end gap-0.5 border-t border-slate-200 bg-white px-2 text-xs">
      <button type="button" onClick={() => void zoomOut()} title={t('footer.zoomOut')} aria-label={t('footer.zoomOut')} className={button}>
        <i aria-hidden className="fa fa-minus" />
      </button>
      <button type="button" onClick={() => void zoomTo(1)} title={t('footer.zoomReset')} aria-label={t('footer.zoomReset')} className={`${button} w-14 whitespace-nowrap tabular-nums`} data-testid="canvas-zoom">
        {Math.round(zoom * 100)} %
      </button>
      <button type="button" onClick={() => void zoomIn()} title={t('footer.zoomIn')} aria-label={t('footer.zoomIn')} className={button}>
        <i aria-hidden className="fa fa-plus" />
      </button>
      <button type="button" onClick={onFit} title={t('footer.fitTitle')} aria-label={t('footer.fit')} className={button}>
        <i aria-hidden className="fa fa-arrows-alt" />
      </button>
      <span aria-hidden className="mx-1 h-4 border-l border-slate-200" />
      <button
        type="button" onClick={() => layoutStore().toggle('minimap')} aria-pressed={minimap} title={minimap ? t('footer.hideMinimap') : t('footer.showMinimap')} aria-label={t('footer.minimap')}
        className={`${button} ${minimap ? 'bg-slate-100 text-slate-900' : ''}`}
      >
        <i aria-hidden className="fa fa-map-o" />
      </button>
    </div>
  );
}

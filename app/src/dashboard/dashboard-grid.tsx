/**
 * The 12-column grid of a dashboard's widgets. In edit mode a widget is dragged by its title bar and resized from its
 * bottom-right corner (pointer events, snapping to whole cells, the others making room as it goes), or moved with the
 * arrow keys and resized with Shift+arrows on its move handle; the new layout is handed to `onLayout` on drop.
 */
import { useRef, useState, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react';
import type { RangePreset } from '../devices/history-range.ts';
import { cx } from '../ui/cx.ts';
import type { Widget } from './dashboard-api.ts';
import { t } from './dashboard.messages.ts';
import { cellsMoved, GAP, moveTo, ROW_HEIGHT, type Rect } from './grid-layout.ts';
import { ChartWidget } from './widgets/chart-widget.tsx';
import { AlertsWidget, RateWidget, StatusMapWidget } from './widgets/fleet-widgets.tsx';
import { GaugeWidget, ValueWidget } from './widgets/value-widgets.tsx';
import { propertyOf, type Models } from './widgets/widget-model.ts';

/** Pixels of a widget's title bar and body padding. */
const HEADER = 34;
const PADDING = 12;

/** A title for a widget without one, from what it shows. */
export function widgetTitle(w: Widget, models: Models): string {
  if (w.title) return w.title;
  const first = w.series?.[0];
  switch (w.type) {
    case 'value':
    case 'gauge':
      return first ? `${propertyOf(models, first)?.name ?? first.property} · ${first.deviceName}` : t(`type.${w.type}`);
    case 'chart':
      return [...new Set((w.series ?? []).map((s) => propertyOf(models, s)?.name ?? s.property))].join(', ') || t('type.chart');
    case 'status-map':
      return t('title.statusMap', { tag: w.tag ?? '' });
    case 'alerts':
      return t('title.alerts');
    case 'rate':
      return t('title.rate');
  }
}

interface Drag {
  id: string;
  mode: 'move' | 'resize';
  startX: number;
  startY: number;
  from: Rect;
  width: number;
}

export function DashboardGrid({ widgets, models, preset, editing, onLayout, onEdit, onRemove }: {
  widgets: readonly Widget[];
  models: Models;
  preset: RangePreset;
  editing: boolean;
  onLayout(widgets: Widget[]): void;
  onEdit(widget: Widget): void;
  onRemove(widget: Widget): void;
}) {
  const grid = useRef<HTMLDivElement>(null);
  const drag = useRef<Drag | null>(null);
  const [preview, setPreview] = useState<Widget[]>();
  const [dragged, setDragged] = useState<string>();
  const shown = preview ?? widgets;

  const start = (e: PointerEvent<HTMLElement>, w: Widget, mode: Drag['mode']) => {
    if (!editing || e.button !== 0 || (mode === 'move' && (e.target as HTMLElement).closest('button'))) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    setDragged(w.id);
    drag.current = { id: w.id, mode, startX: e.clientX, startY: e.clientY, from: { x: w.x, y: w.y, w: w.w, h: w.h }, width: grid.current?.clientWidth ?? 1200 };
  };
  const move = (e: PointerEvent<HTMLElement>) => {
    const d = drag.current;
    if (!d) return;
    const { cols, rows } = cellsMoved(e.clientX - d.startX, e.clientY - d.startY, d.width);
    const rect = d.mode === 'move' ? { ...d.from, x: d.from.x + cols, y: d.from.y + rows } : { ...d.from, w: d.from.w + cols, h: d.from.h + rows };
    const next = moveTo(widgets, d.id, rect);
    setPreview(next === widgets ? undefined : next);
  };
  const end = (e: PointerEvent<HTMLElement>) => {
    if (!drag.current) return;
    drag.current = null;
    setDragged(undefined);
    if (e.currentTarget.hasPointerCapture(e.pointerId)) e.currentTarget.releasePointerCapture(e.pointerId);
    if (preview) onLayout(preview);
    setPreview(undefined);
  };
  const key = (e: KeyboardEvent, w: Widget) => {
    const step = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
    if (!step) return;
    e.preventDefault();
    const [dx, dy] = step as [number, number];
    const rect = e.shiftKey ? { x: w.x, y: w.y, w: w.w + dx, h: w.h + dy } : { x: w.x + dx, y: w.y + dy, w: w.w, h: w.h };
    const next = moveTo(widgets, w.id, rect);
    if (next !== widgets) onLayout(next);
  };

  return (
    <div
      ref={grid}
      className={cx('grid grid-cols-12', editing && 'rounded-lg outline-dashed outline-1 outline-offset-4 outline-sky-200')}
      style={{ gridAutoRows: `${ROW_HEIGHT}px`, gap: `${GAP}px` }}
      data-testid="dashboard-grid"
    >
      {shown.map((w) => {
        const title = widgetTitle(w, models);
        const bodyHeight = w.h * ROW_HEIGHT + (w.h - 1) * GAP - HEADER - 2 * PADDING;
        const dragging = dragged === w.id;
        return (
          <section
            key={w.id}
            aria-label={title}
            data-widget={w.id}
            data-widget-type={w.type}
            data-layout={`${w.x},${w.y},${w.w},${w.h}`}
            className={frameClass(editing, dragging)}
            style={{ gridColumn: `${w.x + 1} / span ${w.w}`, gridRow: `${w.y + 1} / span ${w.h}` }}
          >
            <header
              className={cx('flex h-[34px] shrink-0 items-center gap-1.5 border-b border-slate-100 px-3', editing && 'cursor-move touch-none select-none bg-sky-50/60')}
              onPointerDown={(e) => start(e, w, 'move')}
              onPointerMove={move}
              onPointerUp={end}
              onPointerCancel={end}
              data-drag-handle
            >
              {editing && (
                <button
                  type="button"
                  className="-ml-1 rounded px-1 text-slate-400 hover:text-slate-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-600"
                  aria-label={t('grid.moveHandle', { title })}
                  title={t('grid.moveHint')}
                  onKeyDown={(e) => key(e, w)}
                >
                  <i aria-hidden className="fa fa-arrows" />
                </button>
              )}
              <h2 className="min-w-0 flex-1 truncate text-sm font-semibold text-slate-800" title={title}>{title}</h2>
              {editing && (
                <>
                  <IconButton icon="fa-pencil" label={t('grid.configure', { title })} onClick={() => onEdit(w)} />
                  <IconButton icon="fa-times" label={t('grid.remove', { title })} onClick={() => onRemove(w)} />
                </>
              )}
            </header>
            <div className="min-h-0 flex-1 overflow-hidden p-3">
              <WidgetBody widget={w} models={models} preset={preset} height={bodyHeight} />
            </div>
            {editing && (
              <div
                role="presentation"
                className="absolute bottom-0 right-0 h-5 w-5 cursor-se-resize touch-none rounded-br-lg"
                onPointerDown={(e) => start(e, w, 'resize')}
                onPointerMove={move}
                onPointerUp={end}
                onPointerCancel={end}
                data-resize-handle
              >
                <svg viewBox="0 0 10 10" aria-hidden className="absolute bottom-1 right-1 h-2.5 w-2.5 text-slate-400">
                  <path d="M9 1 L1 9 M9 5 L5 9" stroke="currentColor" strokeWidth="1.3" />
                </svg>
              </div>
            )}
          </section>
        );
      })}
    </div>
  );
}

function frameClass(editing: boolean, dragging: boolean): string {
  return cx(
    'relative flex min-w-0 flex-col rounded-lg border bg-white shadow-sm',
    editing ? 'border-sky-200' : 'border-slate-200',
    dragging && 'z-10 border-sky-500 shadow-lg ring-2 ring-sky-500/30',
  );
}

function IconButton({ icon, label, onClick }: { icon: string; label: string; onClick(): void }) {
  return (
    <button type="button" onClick={onClick} aria-label={label} title={label}
      className="rounded px-1.5 py-0.5 text-slate-400 hover:bg-slate-100 hover:text-slate-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-sky-600">
      <i aria-hidden className={cx('fa', icon)} />
    </button>
  );
}

function WidgetBody({ widget, models, preset, height }: { widget: Widget; models: Models; preset: RangePreset; height: number }): ReactNode {
  switch (widget.type) {
    case 'value': return <ValueWidget widget={widget} models={models} />;
    case 'gauge': return <GaugeWidget widget={widget} models={models} height={height} />;
    case 'chart': return <ChartWidget widget={widget} models={models} preset={preset} height={height} />;
    case 'status-map': return <StatusMapWidget widget={widget} />;
    case 'alerts': return <AlertsWidget />;
    case 'rate': return <RateWidget />;
  }
}

/**
 * The dashboard grid's geometry, framework-free (tested in node): 12 columns, rows of fixed height, widgets as
 * rectangles of whole cells. Moving or resizing one pushes the widgets it lands on down, then everything floats up
 * into free space (as a column of cards does), so widgets never overlap and no gap is left above one.
 */
import { GRID_COLUMNS, GRID_ROWS } from '../../../domain/dashboards/dashboard-schemas.ts';

export { GRID_COLUMNS };
/** Height of one row, and the gap between cells, in CSS pixels. */
export const ROW_HEIGHT = 76;
export const GAP = 12;
export const MAX_HEIGHT = 12;

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type Placed = Rect & { id: string };

/** The rectangle kept inside the grid: at least one cell, at most the grid's width and {@link MAX_HEIGHT} rows. */
export function clampRect(r: Rect): Rect {
  const w = Math.min(GRID_COLUMNS, Math.max(1, Math.round(r.w)));
  const h = Math.min(MAX_HEIGHT, Math.max(1, Math.round(r.h)));
  const x = Math.min(GRID_COLUMNS - w, Math.max(0, Math.round(r.x)));
  const y = Math.min(GRID_ROWS - h, Math.max(0, Math.round(r.y)));
  return { x, y, w, h };
}

export const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

const sameRect = (a: Rect, b: Rect) => a.x === b.x && a.y === b.y && a.w === b.w && a.h === b.h;

/**
 * Floats every widget up as far as it goes, top to bottom (then left to right); `first` is placed before the others
 * of its row, so the one being moved keeps the spot it was dropped on.
 */
export function compact<T extends Placed>(items: readonly T[], first?: string): T[] {
  const order = [...items].sort((a, b) => a.y - b.y || (a.id === first ? -1 : b.id === first ? 1 : a.x - b.x));
  const placed: T[] = [];
  for (const item of order) {
    let y = item.y;
    while (y > 0 && !placed.some((p) => overlaps(p, { ...item, y: y - 1 }))) y--;
    while (placed.some((p) => overlaps(p, { ...item, y }))) y++;
    placed.push(y === item.y ? item : { ...item, y });
  }
  // The input's order, so the saved list does not reshuffle on every move.
  const byId = new Map(placed.map((p) => [p.id, p]));
  return items.map((i) => byId.get(i.id)!);
}

/**
 * The layout after widget `id` is moved or resized to `rect`. Widgets are placed from the top, the moved one by where
 * it was dropped (before the widgets of that row when it went up, after them when it went down, so dragging a widget
 * below its neighbour swaps them); each floats up as far as it goes and is pushed below anything it overlaps.
 * Answers the same array when nothing changes.
 */
export function moveTo<T extends Placed>(items: readonly T[], id: string, rect: Rect): T[] {
  const moving = items.find((i) => i.id === id);
  if (!moving) return [...items];
  const moved = { ...moving, ...clampRect(rect) };
  const down = moved.y > moving.y;
  const others = items.filter((i) => i.id !== id).sort((a, b) => a.y - b.y || a.x - b.x);
  const at = others.findIndex((o) => (down ? o.y > moved.y : o.y >= moved.y));
  const order = at < 0 ? [...others, moved] : [...others.slice(0, at), moved, ...others.slice(at)];
  const placed: T[] = [];
  for (const item of order) {
    let y = item.y;
    while (y > 0 && !placed.some((p) => overlaps(p, { ...item, y: y - 1 }))) y--;
    while (placed.some((p) => overlaps(p, { ...item, y }))) y++;
    placed.push(y === item.y ? item : { ...item, y });
  }
  const byId = new Map(placed.map((p) => [p.id, p]));
  const next = items.map((i) => byId.get(i.id)!);
  return next.every((n, i) => sameRect(n, items[i]!)) ? (items as T[]) : next;
}

/** The first free place, top to bottom then left to right, for a new widget of `w` × `h`. */
export function freePlace(items: readonly Rect[], w: number, h: number): Rect {
  const size = clampRect({ x: 0, y: 0, w, h });
  for (let y = 0; y < GRID_ROWS - size.h; y++) {
    for (let x = 0; x + size.w <= GRID_COLUMNS; x++) {
      const r = { ...size, x, y };
      if (!items.some((i) => overlaps(i, r))) return r;
    }
  }
  return { ...size, x: 0, y: Math.max(0, ...items.map((i) => i.y + i.h)) };
}

/** Whole cells moved by a drag of `dx` × `dy` pixels on a grid `width` pixels wide. */
export function cellsMoved(dx: number, dy: number, width: number): { cols: number; rows: number } {
  const column = (width - GAP * (GRID_COLUMNS - 1)) / GRID_COLUMNS + GAP;
  return { cols: Math.round(dx / column) || 0, rows: Math.round(dy / (ROW_HEIGHT + GAP)) || 0 };
}

/** The grid's height in rows (the lowest widget's bottom edge). */
export const rowsUsed = (items: readonly Rect[]) => Math.max(0, ...items.map((i) => i.y + i.h));

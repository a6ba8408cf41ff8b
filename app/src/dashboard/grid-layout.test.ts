import { describe, expect, it } from 'vitest';
import { cellsMoved, clampRect, compact, freePlace, moveTo, overlaps, type Placed } from './grid-layout.ts';

const w = (id: string, x: number, y: number, width: number, h: number): Placed => ({ id, x, y, w: width, h });
const noOverlap = (items: Placed[]) => items.every((a, i) => items.every((b, j) => i === j || !overlaps(a, b)));

describe('the dashboard grid', () => {
  it('keeps a rectangle inside 12 columns and at least one cell', () => {
    expect(clampRect({ x: 11, y: -2, w: 4, h: 0 })).toEqual({ x: 8, y: 0, w: 4, h: 1 });
    expect(clampRect({ x: 0, y: 0, w: 20, h: 30 })).toEqual({ x: 0, y: 0, w: 12, h: 12 });
  });

  it('floats widgets up into free space', () => {
    expect(compact([w('a', 0, 3, 4, 2), w('b', 4, 5, 4, 2), w('c', 0, 9, 12, 1)])).toEqual([w('a', 0, 0, 4, 2), w('b', 4, 0, 4, 2), w('c', 0, 2, 12, 1)]);
  });

  it('pushes down what a moved widget lands on, and keeps the input order', () => {
    const items = [w('a', 0, 0, 6, 2), w('b', 6, 0, 6, 2), w('c', 0, 2, 12, 3)];
    const next = moveTo(items, 'c', { x: 0, y: 0, w: 12, h: 3 });
    expect(next.map((i) => i.id)).toEqual(['a', 'b', 'c']);
    expect(next).toEqual([w('a', 0, 3, 6, 2), w('b', 6, 3, 6, 2), w('c', 0, 0, 12, 3)]);
    expect(noOverlap(next)).toBe(true);
  });

  it('resizes a widget over its neighbour, pushing it below', () => {
    const next = moveTo([w('a', 0, 0, 6, 2), w('b', 6, 0, 6, 2)], 'a', { x: 0, y: 0, w: 8, h: 3 });
    expect(next).toEqual([w('a', 0, 0, 8, 3), w('b', 6, 3, 6, 2)]);
  });

  it('swaps a widget dragged below its neighbour', () => {
    const next = moveTo([w('a', 0, 0, 12, 2), w('b', 0, 2, 12, 2)], 'a', { x: 0, y: 2, w: 12, h: 2 });
    expect(next).toEqual([w('a', 0, 2, 12, 2), w('b', 0, 0, 12, 2)]);
  });

  it('answers the same array when nothing changes', () => {
    const items = [w('a', 0, 0, 6, 2), w('b', 6, 0, 6, 2)];
    expect(moveTo(items, 'a', { x: 0, y: 0, w: 6, h: 2 })).toBe(items);
  });

  it('finds the first free place for a new widget', () => {
    expect(freePlace([w('a', 0, 0, 6, 2)], 4, 2)).toEqual({ x: 6, y: 0, w: 4, h: 2 });
    expect(freePlace([w('a', 0, 0, 10, 2)], 4, 2)).toEqual({ x: 0, y: 2, w: 4, h: 2 });
  });

  it('turns a drag in pixels into whole cells', () => {
    // 1200 px wide: columns of (1200 - 132) / 12 = 89 px plus a 12 px gap.
    expect(cellsMoved(101 * 3, 88 * 2 + 10, 1200)).toEqual({ cols: 3, rows: 2 });
    expect(cellsMoved(-40, -30, 1200)).toEqual({ cols: 0, rows: 0 });
  });
});

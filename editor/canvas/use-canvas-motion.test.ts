import { describe, expect, it } from 'vitest';
import { wheelZoom, zoomAbout } from './use-canvas-motion.ts';

describe('zooming a large flow with the wheel', () => {
  it('zooms by React Flow\'s step, within its limits, faster for a pinch on a Mac', () => {
    const tick = { deltaY: -120, deltaMode: 0, ctrlKey: false };
    expect(wheelZoom(1, tick, 0.1, 3, false)).toBeCloseTo(2 ** 0.24);
    expect(wheelZoom(1, { ...tick, deltaY: 120 }, 0.1, 3, false)).toBeCloseTo(2 ** -0.24);
    expect(wheelZoom(2.9, tick, 0.1, 3, false)).toBe(3);
    expect(wheelZoom(0.11, { ...tick, deltaY: 120 }, 0.1, 3, false)).toBe(0.1);
    // A wheel stepping by lines.
    expect(wheelZoom(1, { ...tick, deltaY: -3, deltaMode: 1 }, 0.1, 3, false)).toBeCloseTo(2 ** 0.15);
    expect(wheelZoom(1, { deltaY: -10, deltaMode: 0, ctrlKey: true }, 0.1, 3, true)).toBeCloseTo(2 ** 0.2);
  });

  it('keeps the point under the mouse under it', () => {
    const view = zoomAbout({ x: 100, y: 50, zoom: 0.5 }, 1, { x: 300, y: 250 });
    expect(view).toEqual({ x: -100, y: -150, zoom: 1 });
    // The flow point under the mouse, (300 - 100) / 0.5 = 400, is there after: -100 + 400 × 1 = 300.
    expect(view.x + 400 * view.zoom).toBe(300);
  });
});

/**
 * The flow editor's row of `npm run bench`: `bench/editor.ts` (also `npm run bench:editor`) run in a process of its
 * own, so its in-process Thingwire and Node-RED stay out of the benchmark's process, and read from its JSON line.
 */
import { runBenchChild } from './bench-child.ts';
import { fmt } from './report.ts';
import type { EditorFigures } from './editor.ts';

/** Runs the editor benchmark on `nodes` nodes; a failure is the row's text, not the whole benchmark's end. */
export function measureEditor(root: string, nodes: number, timeoutMs = 600_000): Promise<EditorFigures | { error: string }> {
  return runBenchChild<EditorFigures>(root, ['bench/editor.ts', '--nodes', String(nodes), '--json'], (f) => Number.isFinite(f.framesPerSecond), timeoutMs);
}

/** The table row: `editor, N nodes: open … ms, … fps pan/zoom`. */
export function editorRow(nodes: number, result: EditorFigures | { error: string }): string[] {
  const measure = `editor, ${fmt.int(nodes)} nodes: open ms, fps pan and zoom (headless Chromium 1440 × 900, from the whole flow in view)`;
  if ('error' in result) return [measure, `not measured (${result.error})`, '–', ''];
  const apart = `pans ${result.panFramesPerSecond.toFixed(1)}, zooms ${result.zoomFramesPerSecond.toFixed(1)}`;
  return [measure, `open ${fmt.int(result.openMs)} ms, ${result.framesPerSecond.toFixed(1)} fps (${apart})`, '–', ''];
}

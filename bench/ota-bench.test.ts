import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { steadyRate } from './ota-bench.ts';

/**
 * `npm run bench -- --ota --smoke`: the OTA campaign benchmark end to end at toy numbers (a real Thingwire process, 50
 * signed-in devices in a load process that download, verify and report like devices). It asserts that the campaign
 * completed with every device upgraded and that the table has its rows, not any speed.
 */
describe('OTA campaign benchmark harness (smoke)', () => {
  it('runs a campaign of 50 devices to the end and reports every measure', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-ota-bench-smoke-'));
    const out = path.join(dir, 'ota.md');
    try {
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/bench.ts', '--ota', '--smoke', '--out', out], {
        cwd: path.resolve(import.meta.dirname, '..'), encoding: 'utf8', timeout: 90_000,
      });
      expect(run.status, run.stderr).toBe(0);
      // A human watching sees the campaign move.
      expect(run.stderr).toMatch(/^ {2}\d+\.\d s · completed · wave 3\/3 · succeeded 50 \/ 50 /m);
      const table = fs.readFileSync(out, 'utf8');
      expect(run.stdout).toContain(table.trim());
      const cell = (measure: RegExp) => table.split('\n').find((l) => measure.test(l))?.split('|')[2]?.trim();
      expect(cell(/^\| devices in the campaign/)).toBe('50');
      expect(cell(/^\| outcome/)).toBe('50 succeeded · 0 failed (0 told to fail verification) · 0 timed out · 0 cancelled · 0 unfinished');
      expect(cell(/^\| \*\*campaign create → completed/)).toMatch(/^\d+\.\d$/);
      const latency = /^\d+(\.\d)? \/ \d+(\.\d)? \/ \d+(\.\d)?$/;
      for (const measure of [/^\| \*\*push → success/, /^\| … platform notified → device/, /^\| … download/, /^\| … device reported/]) {
        expect(cell(measure), String(measure)).toMatch(latency);
      }
      // Every device was notified and downloaded once; the rate over so short a wave is not a measure, and says so.
      expect(cell(/^\| downloads served per second/)).toMatch(/^\d[\d,]* \/ \d[\d,]* \(50 downloads, 0 answered 503 busy\)$/);
      expect(cell(/^\| \*\*dispatch rate achieved/)).toBe('– (wave shorter than 10 s)');
      expect(cell(/^\| \*\*platform CPU during the campaign/)).toMatch(/^\d+\.\d \(\d+ % over \d+\.\d s\)$/);
      expect(cell(/^\| \*\*platform time per device/)).toMatch(/^\d+\.\d\d$/);
      expect(cell(/^\| \*\*platform RSS/)).toMatch(/^\d+ \/ \d+ \/ \d+ \/ \d+ \/ \d+$/);
      expect(cell(/^\| \*\*live JS heap/)).toMatch(/^\d+ → \d+ \([+−]\d+\.\d MB, [+−]\d+\.\d\d KB per device\)$/);
      // Waves of 1 %, 10 % and 100 % of 50 devices: 1, 4 and 45 devices, each with its timings.
      const waves = table.split('\n').filter((l) => /^\| \d \(to \d+ %\)/.test(l)).map((l) => l.split('|').slice(2, 6).map((c) => c.trim()));
      expect(waves.map((w) => w[0])).toEqual(['1', '4', '45']);
      for (const w of waves) for (const seconds of w.slice(1)) expect(seconds).toMatch(/^\d+\.\d$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('steady dispatch rate', () => {
  it('is the mean over the whole seconds inside a wave, so the partial first and last seconds do not skew it', () => {
    // 200 pushes at each of 20 one-second ticks, each burst spread over 50 ms, starting 300 ms into a second.
    const pushes = Array.from({ length: 20 }, (_, tick) => Array.from({ length: 200 }, (_, i) => 1_000_300 + tick * 1000 + i / 4)).flat();
    expect(steadyRate(pushes)).toBe(200);
    // A tick a little late (30 ms) and the next on time: the same rate.
    expect(steadyRate(pushes.map((t, i) => (Math.floor(i / 200) === 7 ? t + 30 : t)))).toBe(200);
    // A short wave has no steady part.
    expect(steadyRate(pushes.slice(0, 9 * 200))).toBeUndefined();
    expect(steadyRate([])).toBeUndefined();
  });
});

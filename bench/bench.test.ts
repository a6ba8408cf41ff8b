import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * `npm run bench -- --smoke`: the benchmark harness end to end at toy numbers (a real Thingwire process, real device
 * clients in load processes, real Mosquitto). It asserts the table is complete, not any speed: one rate step and
 * half-second runs fill every row as the smoke run's two steps of a second did.
 */
describe('benchmark harness (smoke)', () => {
  it('produces a complete table for Thingwire and Mosquitto', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-bench-smoke-'));
    const out = path.join(dir, 'latest.md');
    try {
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/bench.ts', '--smoke', '--rates', '100', '--step-seconds', '0.5', '--duration', '0.5', '--profile', '--out', out], {
        cwd: path.resolve(import.meta.dirname, '..'), encoding: 'utf8', timeout: 120_000,
      });
      expect(run.status, run.stderr).toBe(0);
      const table = fs.readFileSync(out, 'utf8');
      expect(run.stdout).toContain(table.trim());
      const rows = table.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| measure') && !l.startsWith('| ---'));
      expect(rows.length).toBeGreaterThanOrEqual(15);
      const cells = (measure: RegExp) => rows.find((r) => measure.test(r))?.split('|').slice(2, 4).map((c) => c.trim());
      // Every measure has a value for both, where both apply.
      for (const measure of [/^\| max sustained/, /^\| publish → reply .* at 300/, /^\| idle connections held/, /^\| CPU .* at max/, /^\| CPU .* at 50 %/, /^\| CPU .* at 90 %/]) {
        const [thingwire, mosquitto] = cells(measure) ?? [];
        expect(thingwire, String(measure)).toMatch(/\d/);
        expect(mosquitto, String(measure)).toMatch(/\d/);
      }
      // Devices posting over HTTP and CoAP to the same pipeline: a rate for Thingwire only.
      expect(cells(/^\| HTTP devices: max sustained/)).toEqual([expect.stringMatching(/^\d/), '–']);
      expect(cells(/^\| CoAP devices: max sustained/)).toEqual([expect.stringMatching(/^\d/), '–']);
      // What one codec call costs, measured in the bench process.
      expect(cells(/^\| codec decode µs per call/)).toEqual([expect.stringMatching(/^\d+\.\d \/ \d+\.\d$/), '–']);
      expect(cells(/^\| publish → stored .* at 300/)?.[0]).toMatch(/^\d+(\.\d)? \/ \d+(\.\d)? \/ \d+(\.\d)?$/);
      // The server's CPU per message, for both; how busy the load processes were.
      expect(cells(/^\| server CPU per message/)?.every((c) => /^[\d,]+ \/ [\d,]+$/.test(c))).toBe(true);
      expect(cells(/^\| busiest load process/)).toEqual([expect.stringMatching(/^\d+ %/), expect.stringMatching(/^\d+ %/)]);
      // --profile: where the CPU went and where the garbage came from in the MQTT steps, and what idle connections hold.
      expect(table).toMatch(/### Where Thingwire's CPU went while the MQTT rate steps ran/);
      expect(table).toMatch(/\| \(garbage collector\) \| \d+ \| [\d.]+ % \|/);
      expect(table).toMatch(/MB allocated \(sampled\), [\d.]+ KB per message/);
      expect(table).toMatch(/### What the 100 idle connections keep alive/);
      expect(fs.readdirSync(path.join(dir, 'profiles')).some((f) => f.endsWith('.cpuprofile'))).toBe(true);
      // A smoke run holds too few connections for memory per connection to mean anything, and says so.
      expect(cells(/^\| resident memory per idle/)).toEqual([expect.stringMatching(/^not measured \(100 held/), expect.stringMatching(/^not measured/)]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});

import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files that take tens of seconds (a browser, a server process started and killed, the benchmark harness). On a fresh
 * clone (CI) vitest has no timings and starts the largest files first, which left a 25 s file for the end: these go
 * first there.
 */
const SLOW = [/^e2e\//, /^flows\/device-pipeline-restart\.test\.ts$/, /^bench\/bench\.test\.ts$/, /^server\/main\.test\.ts$/, /^editor\/model\/flow-codec\.test\.ts$/];

/**
 * Longest first across the isolated projects (`e2e`, `integration`), so the two workers finish together: vitest's own
 * order runs project after project, which leaves one worker alone with the last project's longest file. The files
 * of `fast` share their worker's process only while they follow one another, so they stay one block, at the end,
 * where their ~0.1 s each evens out the two workers' finish.
 */
export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const path = (f: TestSpecification) => relative(this.ctx.config.root, f.moduleId);
    const result = (f: TestSpecification) => this.ctx.cache.getFileTestResults(`${f.project.name}:${path(f)}`);
    const shared = sorted.filter((f) => f.project.config.isolate === false);
    const isolated = sorted.filter((f) => f.project.config.isolate !== false);
    if (isolated.every(result)) {
      // Failed first (as vitest does), then longest first.
      isolated.sort((a, b) => Number(result(b)!.failed) - Number(result(a)!.failed) || result(b)!.duration - result(a)!.duration);
    } else {
      const slow = (f: TestSpecification) => SLOW.some((re) => re.test(path(f)));
      isolated.splice(0, isolated.length, ...isolated.filter(slow), ...isolated.filter((f) => !slow(f)));
    }
    return [...isolated, ...shared];
  }
}

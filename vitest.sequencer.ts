import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files that take tens of seconds (a browser, a server process started and killed, the benchmark harness). Vitest
 * starts the files that took longest last time first, so the two workers finish together; on a fresh clone (CI) it
 * has no timings and starts the largest files first, which left a 25 s file for the end. These go first there.
 */
const SLOW = [/^e2e\//, /^flows\/device-pipeline-restart\.test\.ts$/, /^bench\/bench\.test\.ts$/, /^server\/main\.test\.ts$/, /^editor\/model\/flow-codec\.test\.ts$/];

export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const known = sorted.every((f) => this.ctx.cache.getFileTestResults(`${f.project.name}:${relative(this.ctx.config.root, f.moduleId)}`));
    if (known) return sorted;
    const slow = (f: TestSpecification) => SLOW.some((re) => re.test(relative(this.ctx.config.root, f.moduleId)));
    return [...sorted.filter(slow), ...sorted.filter((f) => !slow(f))];
  }
}

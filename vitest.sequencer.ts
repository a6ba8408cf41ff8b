import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files that take tens of seconds (a browser, a server process started and killed, the benchmark harness), longest
 * first. On a fresh clone (CI) vitest has no timings and starts the largest files first, which left a 25 s file for
 * the end, and the browser files in their own order left the longest (core-nodes, ~45 s) for last, one worker idle
 * beside it for half a minute: these go first there, in this order.
 */
const SLOW = [
  /^e2e\/core-nodes\.test\.ts$/, /^e2e\/screens\.test\.ts$/, /^e2e\/(products|device-detail|flow-editor|users)\.test\.ts$/, /^e2e\//,
  /^flows\/device-pipeline-(restart|crash)\.test\.ts$/, /^bench\/bench\.test\.ts$/, /^server\/main(-cli)?\.test\.ts$/, /^editor\/model\/flow-codec\.test\.ts$/,
];

/**
 * The projects in the order they run. A worker keeps its process for the next file only while that file is of the
 * same non-isolated project, so each project is one block: browser files, then the pure files (in the same group of
 * workers), then integration, then the isolated node tests.
 */
const PROJECTS = ['e2e', 'fast', 'integration', 'isolated'];

/** Within a project: failed first (as vitest does), then longest first, so the two workers finish together. */
export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const path = (f: TestSpecification) => relative(this.ctx.config.root, f.moduleId);
    const result = (f: TestSpecification) => this.ctx.cache.getFileTestResults(`${f.project.name}:${path(f)}`);
    /** The rank of a slow file in {@link SLOW}; -1 for the others. */
    const slowRank = (f: TestSpecification) => SLOW.findIndex((re) => re.test(path(f)));
    const rank = (f: TestSpecification) => (PROJECTS.includes(f.project.name) ? PROJECTS.indexOf(f.project.name) : PROJECTS.length);
    const blocks = [...new Set(sorted.map(rank))].sort((a, b) => a - b).map((r) => sorted.filter((f) => rank(f) === r));
    return blocks.flatMap((block) => {
      // vitest's own order when every file has a timing; else the slow ones first.
      if (block.every(result)) return block;
      const slow = block.filter((f) => slowRank(f) >= 0).sort((a, b) => slowRank(a) - slowRank(b));
      return [...slow, ...block.filter((f) => slowRank(f) < 0)];
    });
  }
}

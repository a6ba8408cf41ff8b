// Prints vitest's totals as the one line CI reads, "N passed, N failed", from the JSON reporter's file (skipped tests,
// each with its reason, above it).
// A run that executed no test, or a test file that failed to load, counts as a failure.
import fs from 'node:fs';

const file = process.argv[2] ?? '.vitest-results/results.json';
if (!fs.existsSync(file)) {
  console.log('0 passed, 1 failed');
  console.error(`no test report at ${file}: the test run did not finish`);
  process.exit(1);
}
const report = JSON.parse(fs.readFileSync(file, 'utf8'));
const passed = report.numPassedTests ?? 0;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
// A file that failed to load has no test results but is a failed suite: count it so it cannot pass unnoticed.
const brokenFiles = (report.testResults ?? []).filter((r) => r.status === 'failed' && (r.assertionResults ?? []).length === 0);
for (const r of brokenFiles) console.error(`test file failed to run: ${r.name}\n${r.message ?? ''}`);
const failed = (report.numFailedTests ?? 0) + brokenFiles.length;
// Skipped tests say why in their names (e.g. "skipped: TDENGINE_URL not set"); list them above the totals.
const skippedTests = (report.testResults ?? []).flatMap((r) =>
  (r.assertionResults ?? []).filter((a) => a.status === 'pending' || a.status === 'skipped' || a.status === 'todo').map((a) => a.fullName ?? a.title));
if (skipped) console.log(`${skipped} skipped:\n${skippedTests.map((name) => `  - ${name}`).join('\n')}`);
if (passed + failed === 0) console.error('the suite ran no test');
// The last line is the one CI reads: exactly "N passed, N failed".
console.log(`${passed} passed, ${failed + (passed + failed === 0 ? 1 : 0)} failed`);
if (passed + failed === 0) process.exit(1);
process.exit(failed ? 1 : 0);

// Prints vitest's totals as the one line CI reads, "N passed, N failed, N skipped", from the JSON reporter's file.
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
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (passed + failed === 0) {
  console.error('the suite ran no test');
  process.exit(1);
}
process.exit(failed ? 1 : 0);

// Prints vitest's totals as the one line CI reads, "N passed, N failed", from the JSON reporter's file (skipped tests,
// each with its reason, above it). Counted from each test's own status, because the report's totals miss a test whose
// worker died (it stays "pending") and vitest's exit code is the only trace of an error outside any test.
// A run that executed no test, a test file that failed to load, a test that never finished, or a failing exit code
// with every test passed, counts as a failure.
// Usage: node scripts/test-totals.mjs [report.json] [vitest exit code]
import fs from 'node:fs';

const file = process.argv[2] ?? '.vitest-results/results.json';
const exitCode = Number(process.argv[3] ?? 0);
if (!fs.existsSync(file)) {
  console.log('0 passed, 1 failed');
  console.error(`no test report at ${file}: the test run did not finish`);
  process.exit(1);
}
const report = JSON.parse(fs.readFileSync(file, 'utf8'));
const files = report.testResults ?? [];
const tests = files.flatMap((r) => (r.assertionResults ?? []).map((a) => ({ ...a, file: r.name })));
const withStatus = (...statuses) => tests.filter((t) => statuses.includes(t.status));
const passed = withStatus('passed').length;
const skippedTests = withStatus('skipped', 'todo', 'disabled');
const unfinished = withStatus('pending');
// A file that failed to load has no test results but is a failed suite: count it so it cannot pass unnoticed.
const brokenFiles = files.filter((r) => r.status === 'failed' && (r.assertionResults ?? []).length === 0);
for (const r of brokenFiles) console.error(`test file failed to run: ${r.name}\n${r.message ?? ''}`);
for (const t of unfinished) console.error(`test did not finish (its worker stopped): ${t.file} > ${t.fullName ?? t.title}`);
let failed = withStatus('failed').length + brokenFiles.length + unfinished.length;
if (exitCode !== 0 && failed === 0) {
  console.error(`vitest exited with ${exitCode} although every test passed: an error outside any test (see "Unhandled Errors" above)`);
  failed = 1;
}
// Skipped tests say why in their names (e.g. "skipped: TDENGINE_URL not set"); list them above the totals.
if (skippedTests.length) console.log(`${skippedTests.length} skipped:\n${skippedTests.map((t) => `  - ${t.fullName ?? t.title}`).join('\n')}`);
if (passed + failed === 0) {
  console.error('the suite ran no test');
  failed = 1;
}
// The last line is the one CI reads: exactly "N passed, N failed".
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

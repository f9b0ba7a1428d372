// A vitest-shaped JSON report for checks that are not vitest tests (the fuzzers, the packaging
// checks), so that tools/ci/summarize-vitest.mjs counts them with the rest.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes `testResults` (vitest's per-file entries, each with its assertionResults) to `outFile`
 * with the totals, prints one line per check (a failure with its message), and sets the exit code.
 */
export function writeVitestReport(outFile, testResults) {
  const assertions = testResults.flatMap((t) => t.assertionResults);
  const failed = assertions.filter((a) => a.status !== 'passed').length;
  const report = {
    numTotalTests: assertions.length,
    numPassedTests: assertions.length - failed,
    numFailedTests: failed,
    numPendingTests: 0,
    numTodoTests: 0,
    success: failed === 0,
    testResults,
  };
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(outFile, JSON.stringify(report, null, 2));
  for (const a of assertions) {
    console.log(`${a.status === 'passed' ? 'ok  ' : 'FAIL'} ${a.title}${a.failureMessages.length ? `\n     ${a.failureMessages[0].replace(/\n/g, '\n     ')}` : ''}`);
  }
  process.exitCode = failed > 0 ? 1 : 0;
}

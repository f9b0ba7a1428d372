#!/usr/bin/env node
// Turns the checks a CI shell script ran into a vitest-shaped JSON report, one test per check,
// so tools/ci/summarize-vitest.mjs counts them like the rest. Each line of <checks.tsv> is
// "passed|failed<TAB>title<TAB>log file"; a failed check's message is the end of its log.
//
//   node tools/ci/checks-report.mjs <suite> <checks.tsv> <out.json>
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [suite, checksFile, outFile] = process.argv.slice(2);
const LOG_LINES = 40;

const checks = readFileSync(checksFile, 'utf8').split('\n').filter(Boolean).map((line) => {
  const [status, title, log] = line.split('\t');
  const tail = existsSync(log) ? readFileSync(log, 'utf8').trimEnd().split('\n').slice(-LOG_LINES).join('\n') : '';
  return {
    ancestorTitles: [suite],
    title,
    fullName: `${suite} ${title}`,
    status,
    failureMessages: status === 'passed' ? [] : [tail],
  };
});
const failed = checks.filter((c) => c.status !== 'passed').length;
const report = {
  numTotalTests: checks.length,
  numPassedTests: checks.length - failed,
  numFailedTests: failed,
  numPendingTests: 0,
  numTodoTests: 0,
  success: failed === 0,
  testResults: [{ name: suite, status: failed ? 'failed' : 'passed', message: '', assertionResults: checks }],
};
mkdirSync(path.dirname(outFile), { recursive: true });
writeFileSync(outFile, JSON.stringify(report, null, 2));
for (const c of checks.filter((c) => c.status !== 'passed')) {
  console.log(`FAIL ${c.title}\n     ${c.failureMessages[0].replace(/\n/g, '\n     ')}`);
}
process.exitCode = failed > 0 ? 1 : 0;

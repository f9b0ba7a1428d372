#!/usr/bin/env node
// Turns the checks a CI shell script ran into a vitest-shaped JSON report, one test per check. Each line of <checks.tsv> is
// "passed|failed<TAB>title<TAB>log file"; a failed check's message is the end of its log.
//
//   node tools/ci/checks-report.mjs <suite> <checks.tsv> <out.json>
import { existsSync, readFileSync } from 'node:fs';

import { writeVitestReport } from './vitest_report.mjs';

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
const failed = checks.some((c) => c.status !== 'passed');
writeVitestReport(outFile, [{ name: suite, status: failed ? 'failed' : 'passed', message: '', assertionResults: checks }]);

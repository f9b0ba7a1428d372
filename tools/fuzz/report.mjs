#!/usr/bin/env node
// Turns the libFuzzer logs of a CI run into a vitest-shaped JSON report, one
// test per harness, so tools/ci/summarize-vitest.mjs counts it like the rest.
// A harness fails when its fuzzer found a crash, or when it never ran.
//
//   node tools/fuzz/report.mjs <log-dir> <seconds> <out.json> <harness>...
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [logDir, seconds, outFile, ...harnesses] = process.argv.slice(2);
const sourceDir = path.resolve('packages/native-preproc/fuzz');

function stat(log, name) {
  const m = new RegExp(`stat::${name}:\\s*(\\d+)`).exec(log);
  return m ? Number(m[1]) : undefined;
}

function result(harness) {
  const logFile = path.join(logDir, `${harness}.log`);
  const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
  const executions = stat(log, 'number_of_executed_units');
  const finished = /^Done \d+ runs in/m.test(log);
  const artifact = /Test unit written to (\S+)/.exec(log)?.[1];
  const finding = /^(==\d+==ERROR: .*|.*runtime error: .*|.*fuzz invariant failed: .*|==\d+== ERROR: libFuzzer: .*)$/m.exec(log)?.[1];
  const passed = finished && executions !== undefined && !artifact;
  const title = passed
    ? `${harness}: ${seconds} s under ASan + UBSan, no crash (${executions} executions)`
    : `${harness}: ${seconds} s under ASan + UBSan`;
  const failure = passed
    ? []
    : [
        executions === undefined
          ? `${harness}_fuzzer did not run (no stats in ${logFile})`
          : `${harness}_fuzzer found a crash after ${executions} executions: ${finding ?? 'see the log'}\n` +
            `input: ${artifact ?? 'none written'}\nlog: ${logFile}`,
      ];
  return {
    name: path.join(sourceDir, `${harness}_fuzzer.cc`),
    status: passed ? 'passed' : 'failed',
    message: '',
    assertionResults: [
      { ancestorTitles: ['fuzz'], title, fullName: `fuzz ${title}`, status: passed ? 'passed' : 'failed', failureMessages: failure },
    ],
  };
}

const testResults = harnesses.map(result);
const failed = testResults.filter((t) => t.status === 'failed').length;
const report = {
  numTotalTests: testResults.length,
  numPassedTests: testResults.length - failed,
  numFailedTests: failed,
  numPendingTests: 0,
  numTodoTests: 0,
  success: failed === 0,
  testResults,
};
mkdirSync(path.dirname(outFile), { recursive: true });
writeFileSync(outFile, JSON.stringify(report, null, 2));
for (const t of testResults) {
  const a = t.assertionResults[0];
  console.log(`${a.status === 'passed' ? 'ok  ' : 'FAIL'} ${a.title}${a.failureMessages.length ? `\n     ${a.failureMessages[0].replace(/\n/g, '\n     ')}` : ''}`);
}
process.exitCode = failed > 0 ? 1 : 0;

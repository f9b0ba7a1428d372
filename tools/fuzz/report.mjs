#!/usr/bin/env node
// Turns the libFuzzer logs of a CI run into a vitest-shaped JSON report, one
// test per harness, so tools/ci/summarize-vitest.mjs counts it like the rest.
// A harness fails when its fuzzer found a crash, or when it never ran.
//
//   node tools/fuzz/report.mjs <log-dir> <seconds> <out.json> <harness>...
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { writeVitestReport } from '../ci/vitest_report.mjs';

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

writeVitestReport(outFile, harnesses.map(result));

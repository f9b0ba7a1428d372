#!/usr/bin/env node
// Reads the vitest JSON reports of every test project and prints the closing line CI reads:
// "N passed, N failed[, N skipped]". A project without a report counts as one failure.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [dir, ...projects] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
for (const p of projects) {
  let r;
  try {
    r = JSON.parse(readFileSync(path.join(dir, `${p}.json`), 'utf8'));
  } catch {
    console.log(`${p}: no test report (the project failed to build or to start its tests)`);
    failed++;
    continue;
  }
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
  // A suite that failed to load has no failed tests but is a failure.
  const broken = r.testResults.filter((t) => t.status === 'failed' && t.assertionResults.every((a) => a.status !== 'failed'));
  for (const t of broken) console.log(`${p}: ${path.relative(process.cwd(), t.name)} failed to run: ${(t.message ?? '').split('\n')[0]}`);
  failed += broken.length;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);

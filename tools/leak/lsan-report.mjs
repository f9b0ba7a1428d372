#!/usr/bin/env node
// Sums LeakSanitizer reports, splitting the leaks whose allocation stack passes through a
// given native module from the rest, and prints the module's stacks. Exits 1 if the module
// leaked. No report files means LSan found nothing at all.
//
//   node tools/leak/lsan-report.mjs <label> <module file name> [<lsan-log>...]
import { readFileSync } from 'node:fs';

const [label, module, ...files] = process.argv.slice(2);
const header = /^(Direct|Indirect) leak of (\d+) byte\(s\) in (\d+) object\(s\) allocated from:$/;

const totals = { module: { leaks: 0, bytes: 0 }, other: { leaks: 0, bytes: 0 } };
const stacks = [];
for (const file of files) {
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = header.exec(lines[i]);
    if (!m) continue;
    const frames = [];
    for (let j = i + 1; j < lines.length && /^\s+#\d+ /.test(lines[j]); j++) frames.push(lines[j].trim());
    const owner = frames.some((f) => f.includes(module)) ? 'module' : 'other';
    totals[owner].leaks++;
    totals[owner].bytes += Number(m[2]);
    if (owner === 'module') stacks.push([lines[i], ...frames.slice(0, 10)].join('\n    '));
  }
}
console.log(
  `${label}: ${totals.module.leaks} leaks (${totals.module.bytes} bytes) allocated through ${module}; ` +
    `${totals.other.leaks} leaks (${totals.other.bytes} bytes) elsewhere in the process`,
);
for (const s of stacks.slice(0, 5)) console.log(`  ${s}`);
process.exitCode = totals.module.leaks > 0 ? 1 : 0;

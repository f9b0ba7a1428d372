import type { Evaluation } from './evaluate.js';

/** The confusion matrix as text: rows are the actual classes, columns the predicted ones. */
export function confusionText(classNames: readonly string[], confusion: readonly (readonly number[])[]): string {
  const w = Math.max(6, ...classNames.map((c) => c.length), ...confusion.flat().map((n) => String(n).length)) + 1;
  const head = ' '.repeat(w + 2) + classNames.map((c) => c.padStart(w)).join('');
  const rows = confusion.map((row, i) => `  ${classNames[i]!.padEnd(w)}${row.map((n) => String(n).padStart(w)).join('')}`);
  return `confusion (rows actual, columns predicted):\n${head}\n${rows.join('\n')}\n`;
}

/** Per-class precision, recall, F1 and support, then the macro averages (scikit-learn's classification_report). */
export function classReportText(classNames: readonly string[], e: Pick<Evaluation, 'perClass' | 'macro'>): string {
  const w = Math.max(9, ...classNames.map((c) => c.length)) + 2;
  const f = (x: number) => x.toFixed(4).padStart(10);
  const rows = e.perClass.map((c, i) => `  ${classNames[i]!.padEnd(w)}${f(c.precision)}${f(c.recall)}${f(c.f1)}${String(c.support).padStart(10)}`);
  const support = e.perClass.reduce((a, c) => a + c.support, 0);
  return [
    `  ${''.padEnd(w)}${'precision'.padStart(10)}${'recall'.padStart(10)}${'f1'.padStart(10)}${'support'.padStart(10)}`,
    ...rows,
    `  ${'macro avg'.padEnd(w)}${f(e.macro.precision)}${f(e.macro.recall)}${f(e.macro.f1)}${String(support).padStart(10)}`,
    '',
  ].join('\n');
}

import { Option } from 'commander';
import { BACKEND_ORDER } from '@xfer/trainer';

/** Where a command writes: results on out, warnings and errors on err. */
export type Io = { out: NodeJS.WriteStream; err: NodeJS.WriteStream };

/** Split strings for a data source when none are given: the recipe's 40/10/10 for real data. */
export const RECIPE_SPLITS = { train: 'train[:40%]', validation: 'train[40%:50%]', test: 'train[50%:60%]' };
/** The demo set is small, so it uses all of it. */
export const DEMO_SPLITS = { train: 'train[:80%]', validation: 'train[80%:90%]', test: 'train[90%:]' };

/** The training split `xfer train` uses by default for a source. */
export function defaultTrainSplit(data: string): string {
  return (data === 'demo' ? DEMO_SPLITS : RECIPE_SPLITS).train;
}

export function backendOption(): Option {
  return new Option('--backend <name>', 'tfjs backend (default: the fastest that loads)').choices([...BACKEND_ORDER]);
}

/** A percentage with two decimals, as the train command prints accuracy. */
export function pct(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : 'n/a';
}

/** The confusion matrix as text: rows are the actual classes, columns the predicted ones. */
export function confusionText(classNames: readonly string[], confusion: readonly (readonly number[])[]): string {
  const w = Math.max(6, ...classNames.map((c) => c.length), ...confusion.flat().map((n) => String(n).length)) + 1;
  const head = ' '.repeat(w + 2) + classNames.map((c) => c.padStart(w)).join('');
  const rows = confusion.map((row, i) => `  ${classNames[i]!.padEnd(w)}${row.map((n) => String(n).padStart(w)).join('')}`);
  return `confusion (rows actual, columns predicted):\n${head}\n${rows.join('\n')}\n`;
}

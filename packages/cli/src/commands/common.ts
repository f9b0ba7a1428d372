import { Option } from 'commander';
import { BACKEND_ORDER } from '@xfer/trainer';

/** Where a command writes: results on out, warnings and errors on err. */
export type Io = { out: NodeJS.WriteStream; err: NodeJS.WriteStream };

export function backendOption(): Option {
  return new Option('--backend <name>', 'tfjs backend (default: the fastest that loads)').choices([...BACKEND_ORDER]);
}

/** A percentage with two decimals, as the train command prints accuracy. */
export function pct(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : 'n/a';
}

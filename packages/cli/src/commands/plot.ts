import path from 'node:path';
import { Command } from 'commander';
import { renderCurves } from '@xfer/trainer';
import type { Io } from './common.js';

export function plotCommand(io: Io): Command {
  return new Command('plot')
    .description("plot a run's loss and accuracy per epoch (train and validation, every phase) to <run>/curves.png")
    .argument('<run>', 'a run directory made by `xfer train` (it holds metrics.jsonl)')
    .option('--out <file>', 'the PNG to write (default: <run>/curves.png)')
    .option('--json', 'print what was written as JSON')
    .addHelpText(
      'after',
      `
Examples:
  xfer plot runs/2026-01-31T12-00-00Z
  xfer plot runs/2026-01-31T12-00-00Z --out curves-run1.png --json
`,
    )
    .action(async (run: string, o: { out?: string; json?: boolean }) => {
      const r = await renderCurves(path.join(run, 'metrics.jsonl'), o.out ?? path.join(run, 'curves.png'));
      if (o.json) io.out.write(JSON.stringify(r, null, 2) + '\n');
      else io.out.write(`wrote ${r.png} (${r.width}x${r.height}): ${r.epochs} epochs, phases ${r.phases.join(', ')}\n`);
    });
}

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';

/** The benchmark script lives in the repository's tools/, beside the packages. */
const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../tools/bench/preprocess.mjs');

export function benchCommand(): Command {
  const bench = new Command('bench').description('benchmarks, side by side with their peers');
  bench
    .command('preprocess')
    .description('preprocessing throughput of the native engine against sharp, OpenCV, Pillow and jpeg-js + tfjs, as a table (or --json)')
    .allowUnknownOption()
    .helpOption(false)
    .argument('[args...]', 'passed to tools/bench/preprocess.mjs: --corpus DIR --limit N --repeat R --threads 1,2 --peers ... --json')
    .addHelpText('after', '\nExamples:\n  xfer bench preprocess --repeat 3\n  xfer bench preprocess --peers xfer,sharp --limit 200 --json\n')
    .action(async (args: string[]) => {
      if (!existsSync(SCRIPT)) {
        throw new Error(`${SCRIPT} is missing: the benchmark runs from a clone of the xfer repository (tools/bench)`);
      }
      const code = await new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, [SCRIPT, ...args], { stdio: 'inherit' });
        child.on('error', reject);
        child.on('exit', (c) => resolve(c ?? 1));
      });
      if (code !== 0) throw new Error(`the benchmark exited with code ${code}`);
    });
  return bench;
}

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';

/**
 * The benchmark (its peers, corpus and Python helpers) lives in the repository's tools/, not in
 * the package: it runs from a clone, the one this CLI was built in or the current directory.
 */
const SCRIPT = 'tools/bench/preprocess.mjs';
const CLONES = [path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..'), process.cwd()];

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
      const script = CLONES.map((dir) => path.join(dir, SCRIPT)).find((file) => existsSync(file));
      if (!script) {
        throw new Error(
          `the benchmark runs from a clone of the xfer repository (${SCRIPT}, with \`npm ci\` run there): ` +
            'run `xfer bench preprocess` in the clone',
        );
      }
      const code = await new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, [script, ...args], { stdio: 'inherit' });
        child.on('error', reject);
        child.on('exit', (c) => resolve(c ?? 1));
      });
      if (code !== 0) throw new Error(`the benchmark exited with code ${code}`);
    });
  return bench;
}

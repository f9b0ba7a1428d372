import { Command, CommanderError } from 'commander';
import { Interrupted } from '@xfer/trainer';
import { benchCommand } from './commands/bench.js';
import { dataCommand } from './commands/data.js';
import { evaluateCommand } from './commands/evaluate.js';
import { exportCommand } from './commands/export.js';
import { plotCommand } from './commands/plot.js';
import { predictCommand } from './commands/predict.js';
import { previewCommand } from './commands/preview.js';
import { summaryCommand } from './commands/summary.js';
import { trainCommand } from './commands/train.js';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE } from './exit_codes.js';

/** Runs the xfer CLI with the given arguments and returns the process exit code. */
export async function main(argv: string[], io = { out: process.stdout, err: process.stderr }): Promise<number> {
  const verbose = argv.includes('--verbose');
  const program = new Command('xfer')
    .description('transfer learning for image classifiers, with a native preprocessing engine')
    .option('--verbose', 'show stack traces on errors')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out.write(s), writeErr: (s) => io.err.write(s) });
  program.addCommand(trainCommand(io));
  program.addCommand(evaluateCommand(io));
  program.addCommand(predictCommand(io));
  program.addCommand(exportCommand(io));
  program.addCommand(previewCommand(io));
  program.addCommand(plotCommand(io));
  program.addCommand(dataCommand(io));
  program.addCommand(summaryCommand(io));
  program.addCommand(benchCommand());
  const configure = (c: Command): void => {
    c.exitOverride().showHelpAfterError().configureOutput({ writeOut: (s) => io.out.write(s), writeErr: (s) => io.err.write(s) });
    c.commands.forEach(configure);
  };
  program.commands.forEach(configure);
  try {
    await program.parseAsync(argv.filter((a) => a !== '--verbose'), { from: 'user' });
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit through here with code 0; usage errors were already printed.
      return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    io.err.write(`error: ${err.message}\n`);
    if (err instanceof Interrupted) return EXIT_INTERRUPTED;
    if (verbose && err.stack) io.err.write(`${err.stack}\n`);
    return EXIT_FAILURE;
  }
}

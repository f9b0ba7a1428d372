/**
 * The errors the xfer CLI throws itself; each carries a `code`. main.ts maps errors to exit codes
 * with instanceof (the trainer's Interrupted: 130; commander's usage errors: 2; others: 1).
 */

/** The output directory cannot take the run. */
export class OutputDirError extends Error {
  readonly code = 'OUTPUT_DIR';
  constructor(
    readonly dir: string,
    readonly reason: string,
  ) {
    super(`output directory ${dir}: ${reason}`);
    this.name = 'OutputDirError';
  }
}

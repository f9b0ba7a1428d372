/** Process exit codes of the xfer CLI, and how a usage error ends a command. */
import { CommanderError } from 'commander';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** Stopped by SIGINT after checkpointing: 128 + 2, as shells report it. */
export const EXIT_INTERRUPTED = 130;

/**
 * Ends a command on a usage error found before any work, as a bad flag ends it: the message is
 * printed, and the usage exit code follows. `code` names the check for commander.
 */
export function usageError(err: NodeJS.WritableStream, code: string, message: string): never {
  err.write(`error: ${message}\n`);
  throw new CommanderError(EXIT_USAGE, code, message);
}

/** Process exit codes of the xfer CLI. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** Stopped by SIGINT after checkpointing: 128 + 2, as shells report it. */
export const EXIT_INTERRUPTED = 130;

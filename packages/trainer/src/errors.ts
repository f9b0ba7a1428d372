/**
 * The errors @xfer/trainer throws on purpose. Each carries a `code`, and callers (the CLI) tell
 * them apart with `instanceof`.
 */

/** Training was stopped through RunControl.signal after checkpointing; the run can be resumed. */
export class Interrupted extends Error {
  readonly code = 'INTERRUPTED';
  constructor(readonly runDir: string) {
    super(`interrupted; the last completed epoch is checkpointed. Resume with: xfer train --resume ${runDir}`);
    this.name = 'Interrupted';
  }
}

/**
 * A bad split spec, or one that does not fit the data. The message quotes the spec, names the
 * character offset and draws a caret under the offending part.
 */
export class SplitSpecError extends Error {
  override name = 'SplitSpecError';
  readonly code = 'SPLIT_SPEC';
  /** The spec string as given. */
  readonly spec: string;
  /** 0-based offset of the offending character in `spec`. */
  readonly position: number;
  /** The message without the quoted spec and caret line. */
  readonly detail: string;

  constructor(spec: string, position: number, detail: string) {
    const caretLine = ' '.repeat(Math.max(0, position)) + '^';
    super(
      `Invalid split ${JSON.stringify(spec)} at character ${position + 1}: ${detail}\n` +
        `  ${spec}\n  ${caretLine}\n` +
        'Format: name, name[from:to], parts joined with "+"; e.g. "train[:40%]", "train[-10%:]", ' +
        '"train[100:200]", "train[:10%]+train[-10%:]".',
    );
    this.spec = spec;
    this.position = position;
    this.detail = detail;
  }
}

/** A dataset or configuration that cannot be trained on, found before any training. */
export class DatasetError extends Error {
  readonly code = 'DATASET';
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

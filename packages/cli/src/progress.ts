import type { BatchLogs, EpochLogs, RunReporter } from '@xfer/trainer';

export interface ProgressOptions {
  quiet: boolean;
  /** Redraw a status line in place (a TTY); otherwise print one plain line per epoch. */
  live: boolean;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

function fmt(x: number, digits = 4): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

function eta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** Prints a run's progress the way Keras' fit does: a live batch line, then one line per epoch. */
export function progressReporter(o: ProgressOptions): RunReporter {
  let liveLine = false;
  const clear = () => {
    if (liveLine) o.out.write('\r\x1b[2K');
    liveLine = false;
  };
  const line = (s: string) => {
    clear();
    o.out.write(s + '\n');
  };
  return {
    info: (s) => {
      if (!o.quiet) line(s);
    },
    warn: (s) => {
      clear();
      o.err.write(`warning: ${s}\n`);
    },
    onScanProgress: (done, total) => {
      if (o.quiet || !o.live) return;
      o.out.write(`\r\x1b[2Kscanning the dataset: ${done}/${total}`);
      liveLine = true;
    },
    onPhaseBegin: (phase, info) => {
      if (!o.quiet) line(`phase ${phase}: ${info.epochs} epochs, learning rate ${info.learningRate}, ${info.trainableParams.toLocaleString('en-US')} trainable parameters`);
    },
    onBatchEnd: (b: BatchLogs) => {
      if (o.quiet || !o.live) return;
      const width = 24;
      const filled = Math.round((b.batch / b.batches) * width);
      const remaining = (b.seconds / b.batch) * (b.batches - b.batch);
      o.out.write(
        `\r\x1b[2Kepoch ${b.epoch} [${'='.repeat(filled)}${' '.repeat(width - filled)}] ${b.batch}/${b.batches}` +
          ` - loss ${fmt(b.loss)} - acc ${fmt(b.accuracy)} - ${b.imagesPerSec.toFixed(1)} img/s - ETA ${eta(remaining)}`,
      );
      liveLine = true;
    },
    onEpochEnd: (e: EpochLogs) => {
      if (o.quiet) return;
      line(
        `epoch ${e.epoch}/${e.epochs} (${e.phase}) - ${e.seconds.toFixed(1)}s - ${e.imagesPerSec.toFixed(1)} img/s` +
          ` - loss ${fmt(e.loss)} - acc ${fmt(e.accuracy)} - val_loss ${fmt(e.valLoss)} - val_acc ${fmt(e.valAccuracy)}`,
      );
    },
  };
}

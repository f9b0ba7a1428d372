import type { TrainResult } from './config.js';
import { classReportText, confusionText } from './evaluation_text.js';

function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

/** The run's human-readable summary.txt. */
export function formatSummary(r: TrainResult, m: { classNames: string[]; params: number; trainable: number }): string {
  const lines = [
    `xfer run ${r.runDir}`,
    `backend: ${r.backend.name} (${r.backend.reason})`,
    `model: ${m.params.toLocaleString('en-US')} parameters, ${m.trainable.toLocaleString('en-US')} trainable`,
    `examples: train ${r.counts.train}, validation ${r.counts.validation}, test ${r.counts.test}`,
    `skipped: ${r.skipped.length} by the dataset's rules, ${r.failures.length} that failed to decode (errors.jsonl)`,
    '',
    'phase      epoch  loss    acc     val_loss  val_acc  img/s   seconds',
  ];
  for (const e of r.history) {
    lines.push(
      `${e.phase.padEnd(10)} ${String(e.epoch).padStart(2)}/${String(e.epochs).padEnd(2)}  ${e.loss.toFixed(4)}  ${e.accuracy.toFixed(4)}  ` +
        `${e.valLoss.toFixed(4)}    ${e.valAccuracy.toFixed(4)}   ${e.imagesPerSec.toFixed(1).padStart(6)}  ${e.seconds.toFixed(1)}`,
    );
  }
  lines.push('');
  for (const phase of [...new Set(r.history.map((e) => e.phase))]) {
    const epochs = r.history.filter((e) => e.phase === phase);
    const last = epochs[epochs.length - 1]!;
    const rate = epochs.reduce((n, e) => n + e.imagesPerSec, 0) / epochs.length;
    lines.push(`phase ${phase}: val accuracy ${pct(last.valAccuracy)} after ${epochs.length} epochs, ${rate.toFixed(1)} img/s on ${r.backend.name}`);
  }
  const top5 = r.test.top5Accuracy === undefined ? '' : `, top-5 ${pct(r.test.top5Accuracy)}`;
  const rule = m.classNames.length === 2 ? ' (at logit 0)' : ' (argmax)';
  lines.push(
    '',
    `test: accuracy ${pct(r.test.accuracy)}${rule}${top5}, loss ${r.test.loss.toFixed(4)}, ${r.test.count} images`,
    confusionText(m.classNames, r.test.confusion) + classReportText(m.classNames, r.test),
    `wall time: ${r.seconds.toFixed(1)} s`,
    '',
  );
  return lines.join('\n');
}

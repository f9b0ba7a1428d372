import { Command } from 'commander';
import { classReportText, confusionText, evaluateSavedModel, loadSavedModel, pickBackend, type BackendName } from '@xfer/trainer';
import { positiveInt } from './train.js';
import { backendOption, pct, type Io } from './common.js';

interface EvaluateFlags {
  data?: string;
  split?: string;
  batchSize?: number;
  threads?: number;
  kerasAccuracy?: boolean;
  backend?: BackendName;
  json?: boolean;
}

export function evaluateCommand(io: Io): Command {
  return new Command('evaluate')
    .description("evaluate a trained model on a split: accuracy, loss and the confusion matrix (as Keras' model.evaluate)")
    .argument('<run|model>', 'a run directory made by `xfer train`, or its model/ folder')
    .option('--data <source>', "demo, cats_vs_dogs, a .zip, or a folder (default: the run's --data)")
    .option('--split <split>', "a TFDS split string (default: the run's test split)")
    .option('--batch-size <n>', "images per model call (default: the run's)", positiveInt('--batch-size'))
    .option('--threads <n>', 'native decode threads (default: all cores)', positiveInt('--threads'))
    .option('--keras-accuracy', "count accuracy as Keras' BinaryAccuracy on logits (threshold 0.5; default: the run's rule)")
    .addOption(backendOption())
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  xfer evaluate runs/2026-01-31T12-00-00Z                 the run's own test split
  xfer evaluate runs/2026-01-31T12-00-00Z --split "train[:10%]" --json
  xfer evaluate runs/2026-01-31T12-00-00Z/model --data ~/PetImages --split "train[50%:60%]"
`,
    )
    .action(async (given: string, o: EvaluateFlags) => {
      const backend = await pickBackend(o.backend);
      const saved = await loadSavedModel(given);
      const live = Boolean(io.err.isTTY) && !process.env.CI && !o.json;
      try {
        const r = await evaluateSavedModel(saved, {
          data: o.data,
          split: o.split,
          batchSize: o.batchSize,
          threads: o.threads,
          accuracyRule: o.kerasAccuracy ? 'keras' : undefined,
          onInfo: o.json ? undefined : (line) => io.err.write(`${line}\n`),
          onProgress: live ? (done, total) => io.err.write(`\r\x1b[2Kevaluating: ${done}/${total}`) : undefined,
        });
        if (live) io.err.write('\r\x1b[2K');
        if (o.json) {
          const result = {
            model: saved.modelDir,
            runDir: saved.runDir ?? null,
            backend: backend.name,
            data: r.data,
            split: r.split,
            classNames: r.classNames,
            count: r.count,
            accuracy: r.accuracy,
            loss: r.loss,
            accuracyRule: r.accuracyRule,
            ...(r.top5Accuracy !== undefined ? { top5Accuracy: r.top5Accuracy } : {}),
            confusion: r.confusion,
            perClass: Object.fromEntries(r.classNames.map((c, i) => [c, r.perClass[i]])),
            macro: r.macro,
            failures: r.failures,
            skipped: r.skipped,
          };
          io.out.write(JSON.stringify(result, null, 2) + '\n');
          return;
        }
        for (const f of r.failures) io.err.write(`warning: skipped ${f.source}: ${f.reason}\n`);
        const rule = r.classNames.length > 2 ? 'argmax' : r.accuracyRule === 'keras' ? 'at p=0.5 of the logit, as Keras' : 'at logit 0';
        const top5 = r.top5Accuracy === undefined ? '' : `, top-5 ${pct(r.top5Accuracy)}`;
        io.out.write(
          `model ${saved.modelDir}\n` +
            `data ${r.data}, split ${r.split}: ${r.count} images${r.failures.length ? ` (${r.failures.length} failed to decode, listed above)` : ''}\n` +
            `accuracy ${pct(r.accuracy)} (${rule})${top5}, loss ${Number.isFinite(r.loss) ? r.loss.toFixed(4) : 'n/a'} - backend ${backend.name}\n` +
            confusionText(r.classNames, r.confusion) +
            classReportText(r.classNames, r),
        );
      } finally {
        saved.model.dispose();
      }
    });
}

import { Command } from 'commander';
import { isPredictFailure, listImageFiles, loadSavedModel, pickBackend, predictImages, type BackendName } from '@xfer/trainer';
import { positiveInt } from './train.js';
import { backendOption, type Io } from './common.js';

interface PredictFlags {
  batchSize: number;
  top: number;
  threads?: number;
  backend?: BackendName;
  json?: boolean;
}

export function predictCommand(io: Io): Command {
  return new Command('predict')
    .description("label images with a trained model: class and probability per image (as Keras' model.predict)")
    .argument('<run|model>', 'a run directory made by `xfer train`, or its model/ folder')
    .argument('<images...>', 'image files, or folders (their .jpg/.jpeg/.png files, recursively, sorted)')
    .option('--batch-size <n>', 'images per decode and model call', positiveInt('--batch-size'), 32)
    .option('--top <k>', 'list the k most probable classes of each image', positiveInt('--top'), 1)
    .option('--threads <n>', 'native decode threads (default: all cores)', positiveInt('--threads'))
    .addOption(backendOption())
    .option('--json', 'print the results as JSON')
    .addHelpText(
      'after',
      `
Images that cannot be read or decoded are reported one by one with the reason; the others are
still predicted, and the exit code is then 1.

Examples:
  xfer predict runs/2026-01-31T12-00-00Z cat.jpg dog.png
  xfer predict runs/2026-01-31T12-00-00Z ~/photos --json
  xfer predict runs/2026-01-31T12-00-00Z flower.jpg --top 3     the 3 most probable classes
`,
    )
    .action(async (given: string, inputs: string[], o: PredictFlags) => {
      const backend = await pickBackend(o.backend);
      const saved = await loadSavedModel(given);
      let results;
      try {
        const files = await listImageFiles(inputs);
        results = await predictImages(saved.model, files, {
          classNames: saved.preprocessing.classNames,
          size: saved.preprocessing.inputSize,
          units: saved.units,
          threads: o.threads,
          batchSize: o.batchSize,
          top: Math.max(o.top, o.json ? 5 : 1),
        });
      } finally {
        saved.model.dispose();
      }
      const failed = results.filter(isPredictFailure);
      if (o.json) {
        io.out.write(
          JSON.stringify({ model: saved.modelDir, backend: backend.name, classNames: saved.preprocessing.classNames, inputSize: saved.preprocessing.inputSize, predictions: results }, null, 2) + '\n',
        );
      } else {
        const w = Math.max(...saved.preprocessing.classNames.map((c) => c.length));
        for (const r of results) {
          if (isPredictFailure(r)) io.err.write(`${r.source}: cannot predict: ${r.reason}\n`);
          else if (o.top === 1) io.out.write(`${r.className.padEnd(w)}  ${r.probability.toFixed(4)}  ${r.source}\n`);
          else io.out.write(`${r.top.map((t) => `${t.className} ${t.probability.toFixed(4)}`).join(', ')}  ${r.source}\n`);
        }
      }
      if (failed.length > 0) {
        throw new Error(`${failed.length} of ${results.length} images could not be read or decoded (${failed.map((f) => f.source).join(', ')}); fix or remove them`);
      }
    });
}

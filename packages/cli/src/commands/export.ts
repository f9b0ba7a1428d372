import { Command } from 'commander';
import { EXPORT_FORMATS, exportSavedModel, pickBackend, type BackendName, type ExportFormat } from '@xfer/trainer';
import { usageError } from '../exit_codes.js';
import { backendOption, type Io } from './common.js';

interface ExportFlags {
  format: string;
  out?: string;
  backend?: BackendName;
}

export function exportCommand(io: Io): Command {
  return new Command('export')
    .description("write a trained model in another framework's format: keras-h5, the weights as Keras' model.save_weights('x.h5') writes them")
    .argument('<run|model>', 'a run directory made by `xfer train`, or its model/ folder')
    .option('--format <format>', `what to write: ${EXPORT_FORMATS.join(', ')}`, 'keras-h5')
    .option('--out <file>', 'the file to write (default: model.h5 in the run directory); never overwritten')
    .addOption(backendOption())
    .addHelpText(
      'after',
      `
keras-h5 is Keras' legacy HDF5 weights layout (layer_names, weight_names, Keras' weight order),
which Keras 2 and 3 read with model.load_weights('model.h5') into the same model: Input →
Rescaling(1/127.5, offset=-1) → the base (one group, as Keras saves a nested model) →
GlobalAveragePooling2D → Dropout → Dense(units). Build the base trainable (Keras' default)
before loading: Keras orders a frozen nested model's weights differently.

Examples:
  xfer export runs/2026-01-31T12-00-00Z --format keras-h5
  xfer export runs/2026-01-31T12-00-00Z/model --out ~/models/cats_vs_dogs.h5
`,
    )
    .action(async (given: string, o: ExportFlags) => {
      if (!(EXPORT_FORMATS as readonly string[]).includes(o.format)) {
        usageError(io.err, 'xfer.exportFormat', `--format ${o.format} is not one xfer writes; it writes ${EXPORT_FORMATS.join(', ')} (Keras' legacy HDF5 weights)`);
      }
      await pickBackend(o.backend);
      const r = await exportSavedModel(given, { format: o.format as ExportFormat, out: o.out });
      io.out.write(
        `wrote ${r.file} (${r.format}): ${r.layers} layers, ${r.weightedLayers} with weights, ${r.parameters.toLocaleString('en-US')} parameters, ` +
          `Dense(${r.units}) head\n`,
      );
    });
}

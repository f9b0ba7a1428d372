import { Command, Option } from 'commander';
import { miniXception, pickBackend, summary, transferModel, xception } from '@xfer/trainer';
import { positiveInt } from './train.js';

export function summaryCommand(io: { out: NodeJS.WriteStream }): Command {
  return new Command('summary')
    .description("print a model's layers and parameter counts, as Keras' model.summary()")
    .addOption(new Option('--model <name>', 'the base convnet').choices(['mini-xception', 'xception']).default('xception'))
    .option('--image-size <px>', 'square input size', positiveInt('--image-size'), 150)
    .option('--unfrozen', 'count the base as trainable (the fine-tune phase)', false)
    .option('--base', 'the base alone, layer by layer, instead of the transfer model', false)
    .addHelpText('after', '\nExample:\n  xfer summary --model xception --image-size 150\n')
    .action(async (o: { model: string; imageSize: number; unfrozen: boolean; base: boolean }) => {
      await pickBackend();
      const inputShape: [number, number, number] = [o.imageSize, o.imageSize, 3];
      const base = o.model === 'xception' ? xception({ inputShape }) : miniXception({ inputShape });
      const model = transferModel(base);
      base.trainable = o.unfrozen;
      io.out.write(summary(o.base ? base : model));
    });
}

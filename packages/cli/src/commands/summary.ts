import { Command, Option } from 'commander';
import { miniXception, Objective, pickBackend, summary, transferModel, xception } from '@xfer/trainer';
import { positiveInt } from './train.js';

export function summaryCommand(io: { out: NodeJS.WriteStream }): Command {
  return new Command('summary')
    .description("print a model's layers and parameter counts, as Keras' model.summary()")
    .addOption(new Option('--model <name>', 'the base convnet').choices(['mini-xception', 'xception']).default('xception'))
    .option('--image-size <px>', 'square input size', positiveInt('--image-size'), 150)
    .option('--classes <n>', 'classes of the head: 2 is one logit, N > 2 one logit per class (2048·N + N parameters on Xception)', positiveInt('--classes'), 2)
    .option('--unfrozen', 'count the base as trainable (the fine-tune phase)', false)
    .option('--base', 'the base alone, layer by layer, instead of the transfer model', false)
    .addHelpText('after', '\nExample:\n  xfer summary --model xception --image-size 150\n')
    .action(async (o: { model: string; imageSize: number; classes: number; unfrozen: boolean; base: boolean }) => {
      await pickBackend();
      const inputShape: [number, number, number] = [o.imageSize, o.imageSize, 3];
      const base = o.model === 'xception' ? xception({ inputShape }) : miniXception({ inputShape });
      const model = transferModel(base, { units: new Objective(o.classes).units });
      base.trainable = o.unfrozen;
      io.out.write(summary(o.base ? base : model));
    });
}

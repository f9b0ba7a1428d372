import type * as tfl from '@tensorflow/tfjs-layers';
import { baseModel } from '../models/base_model.js';
import { transferModel } from '../models/transfer_model.js';
import { imagenetXceptionWeights } from '../weights/imagenet.js';
import { loadKerasWeights } from '../weights/keras_weights.js';
import type { RunReporter, TrainConfig } from './config.js';
import { demoPretrainedWeights } from './demo_pretrained.js';
import { isTrainedModel, reuseTrainedModel } from './reuse_model.js';
import { runSeeds } from './seeds.js';

async function weightsFile(config: TrainConfig, report: RunReporter): Promise<string> {
  if (config.weights === 'imagenet') return imagenetXceptionWeights();
  if (config.weights !== 'demo') return config.weights;
  if (config.model !== 'mini-xception') throw new Error(`--weights demo is for the mini-xception base, not ${config.model}`);
  // Half the demo's size: pretraining stays a fraction of the run, and tiny test sets stay tiny.
  const perClass = Math.max(8, Math.ceil(config.demo.perClass / 2));
  return demoPretrainedWeights({ imageSize: config.imageSize, perClass, epochs: 3, seed: config.seed, threads: config.threads, onInfo: report.info });
}

/**
 * The run's transfer model: the base (seeded, so a resumed run rebuilds the same model), its
 * weights when pretrained, and a head of `units` logits.
 */
export async function buildModel(
  config: TrainConfig,
  report: RunReporter,
  head: { units: number; classNames: readonly string[] },
): Promise<{ model: tfl.LayersModel; base: tfl.LayersModel; pretrained: boolean }> {
  const inputShape: [number, number, number] = [config.imageSize, config.imageSize, 3];
  const seeds = runSeeds(config.seed);
  const base = baseModel(config.model, { inputShape, seed: seeds.baseInit });
  const pretrained = config.weights !== 'none';
  const reuse = pretrained && (await isTrainedModel(config.weights));
  if (pretrained && !reuse) {
    const file = await weightsFile(config, report);
    await loadKerasWeights(base, file);
    report.info?.(`weights: ${file}`);
  }
  // A base trained from scratch needs batch statistics; phasesFor pins them later.
  const model = transferModel(base, { dropout: config.dropout, units: head.units, baseBatchNorm: pretrained ? 'inference' : 'batch', seed: seeds.headInit });
  if (reuse) report.info?.(await reuseTrainedModel(model, base, config.weights, head.classNames));
  return { model, base, pretrained };
}

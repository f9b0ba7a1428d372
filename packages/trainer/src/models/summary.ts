import type * as tfl from '@tensorflow/tfjs-layers';

function params(weights: tfl.LayerVariable[]): number {
  return weights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
}

/** Total, trainable and non-trainable parameter counts, as Keras' summary reports them. */
export function parameterCounts(model: tfl.LayersModel): { total: number; trainable: number; nonTrainable: number } {
  const trainable = params(model.trainableWeights);
  const nonTrainable = params(model.nonTrainableWeights);
  return { total: trainable + nonTrainable, trainable, nonTrainable };
}

const n = (x: number) => x.toLocaleString('en-US');

/**
 * A Keras-style `model.summary()`: one row per layer (a nested model is one row, as in Keras) with
 * its output shape and parameter count, then the three totals.
 */
export function summary(model: tfl.LayersModel): string {
  const rows = model.layers.map((l) => {
    const shape = l.outputShape as unknown;
    const text = Array.isArray(shape) && Array.isArray(shape[0]) ? JSON.stringify(shape) : `(${(shape as (number | null)[]).map((d) => (d === null ? 'None' : d)).join(', ')})`;
    return [`${l.name} (${'layers' in l ? 'Functional' : l.getClassName()})`, text, n(l.countParams())];
  });
  const widths = [Math.max(28, ...rows.map((r) => r[0]!.length)), Math.max(25, ...rows.map((r) => r[1]!.length)), 12];
  const line = (cells: string[]) => cells.map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  const rule = '='.repeat(widths.reduce((a, b) => a + b + 2, -2));
  const c = parameterCounts(model);
  return [
    `Model: "${model.name}"`,
    rule,
    line(['Layer (type)', 'Output Shape', 'Param #']),
    rule,
    ...rows.map(line),
    rule,
    `Total params: ${n(c.total)}`,
    `Trainable params: ${n(c.trainable)}`,
    `Non-trainable params: ${n(c.nonTrainable)}`,
    '',
  ].join('\n');
}

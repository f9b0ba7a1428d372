import * as tf from '@tensorflow/tfjs-core';

/** Sums `t` over the axes along which a parameter of shape `shape` was broadcast, then reshapes to it. */
function reduceToShape(t: tf.Tensor, shape: readonly number[], rank: number): tf.Tensor {
  const lead = rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < rank; i++) {
    if (i < lead || shape[i - lead] === 1) axes.push(i);
  }
  return tf.reshape(axes.length > 0 ? tf.sum(t, axes) : t, [...shape]);
}

/**
 * Gradient of FusedBatchNorm (y = (x − mean)·rsqrt(variance + ε)·scale + offset) by broadcasting.
 * tfjs' stock gradient tiles rsqrt(variance) to the full activation size first, which is most of
 * a training step's time on the wasm backend; broadcasting gives the same values without it.
 */
export function registerBatchNormGradient(): void {
  tf.registerGradient({
    kernelName: tf.FusedBatchNorm,
    inputsToSave: ['x', 'mean', 'variance', 'scale'],
    gradFunc: (dyOrList, saved, attrs) => {
      const dy = dyOrList as tf.Tensor;
      const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
      const eps = (attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
      const rank = x.rank;
      const inv = tf.rsqrt(tf.add(variance, eps));
      const invTimesScale = scale ? tf.mul(inv, scale) : inv;
      const centred = () => tf.sub(x, mean);
      return {
        x: () => tf.mul(dy, invTimesScale),
        mean: () => tf.neg(reduceToShape(tf.mul(dy, invTimesScale), mean.shape, rank)),
        variance: () => {
          const factor = tf.mul(tf.mul(tf.pow(inv, 3), -0.5), scale ?? 1);
          return reduceToShape(tf.mul(tf.mul(dy, centred()), factor), variance.shape, rank);
        },
        scale: () => reduceToShape(tf.mul(tf.mul(dy, centred()), inv), (scale ?? mean).shape, rank),
        offset: () => reduceToShape(dy, mean.shape, rank),
      };
    },
  });
}

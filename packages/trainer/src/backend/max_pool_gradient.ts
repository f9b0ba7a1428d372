import * as tf from '@tensorflow/tfjs-core';

interface MaxPoolGradAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * MaxPool's input gradient: each output window's gradient goes to the first position (in row-major
 * order) holding the window's maximum, padding excluded, as in tfjs' cpu kernel and TF.
 */
export function maxPoolGrad(x: Float32Array, dy: Float32Array, info: tf.backend_util.Conv2DInfo): Float32Array {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const dx = new Float32Array(batchSize * inHeight * inWidth * channels);
  for (let b = 0; b < batchSize; b++) {
    const image = b * inHeight * inWidth * channels;
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * strideHeight - top;
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = ox * strideWidth - left;
        const out = ((b * outHeight + oy) * outWidth + ox) * channels;
        for (let c = 0; c < channels; c++) {
          let best = -Infinity;
          let at = -1;
          for (let ky = Math.max(0, -y0); ky < filterHeight && y0 + ky < inHeight; ky++) {
            for (let kx = Math.max(0, -x0); kx < filterWidth && x0 + kx < inWidth; kx++) {
              const i = image + ((y0 + ky) * inWidth + x0 + kx) * channels + c;
              if (x[i]! > best) {
                best = x[i]!;
                at = i;
              }
            }
          }
          if (at >= 0) dx[at] = dx[at]! + dy[out + c]!;
        }
      }
    }
  }
  return dx;
}

/**
 * Replaces a backend's MaxPoolGrad with the loop above. tfjs-backend-wasm 4.22's kernel sends the
 * gradient of some 'same'-padded windows to the wrong position (k3 s2 on 8x8 and 9x9 inputs, for
 * example, as Xception's pools have), which made wasm's training gradients differ from cpu's.
 */
export function registerMaxPoolGradKernel(backendName: string): void {
  if (tf.getKernel('MaxPoolGrad', backendName)) tf.unregisterKernel('MaxPoolGrad', backendName);
  tf.registerKernel({
    kernelName: 'MaxPoolGrad',
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
      const a = attrs as unknown as MaxPoolGradAttrs;
      const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
      const kernels = backend as tf.KernelBackend;
      const read = (t: tf.TensorInfo) => kernels.readSync(t.dataId) as Float32Array;
      const dx = maxPoolGrad(read(input), read(dy), info);
      return { dataId: kernels.write(dx, input.shape, 'float32'), shape: input.shape, dtype: 'float32' };
    },
  });
}

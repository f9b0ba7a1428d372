import { allFloat32, floatsOf, outputs } from '../backend_data.js';
import type { NativeKernel } from './kernel.js';

/**
 * Keras' Adam update of a whole step (the trainer's KerasAdam runs it by this name where the
 * backend has it). Inputs `gradient<i>`, `m<i>`, `v<i>`, `value<i>` for i < attrs.count; attrs
 * `alpha` (the bias-corrected step size), `beta1`, `beta2`, `epsilon`. Outputs the new m of
 * every variable, then the new v, then the new values: 3·count tensors. One pass over each
 * variable replaces the dozen elementwise ops (and their fresh arrays) of the same update, with
 * bit-identical results.
 */
export const KERAS_ADAM = 'XferKerasAdam';

export const kerasAdamKernel: NativeKernel = {
  kernelName: KERAS_ADAM,
  run({ inputs, backend, attrs }, native) {
    const count = attrs['count'] as number;
    const slots = Array.from({ length: count }, (_, i) => ['gradient', 'm', 'v', 'value'].map((n) => inputs[`${n}${i}`]));
    const all = slots.flat();
    if (!all.every((t) => t != null) || !allFloat32(...all)) return undefined;
    const read = (k: number) => slots.map((s) => floatsOf(backend, s[k]!));
    const shapes = slots.map((s) => [...s[0]!.shape]);
    const f = Math.fround;
    const step: [number, number, number, number] = [
      attrs['alpha'] as number,
      f(1 - (attrs['beta1'] as number)),
      f(1 - (attrs['beta2'] as number)),
      attrs['epsilon'] as number,
    ];
    return outputs(backend, [...shapes, ...shapes, ...shapes], (...out) =>
      native.kerasAdam(step, read(0), read(1), read(2), read(3), out.slice(0, count), out.slice(count, 2 * count), out.slice(2 * count)),
    );
  },
};

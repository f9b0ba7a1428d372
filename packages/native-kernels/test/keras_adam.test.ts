import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { loadBinding } from '../src/binding.js';
import { randn, runNativeOnlyMulti } from './helpers.js';

/** Keras' Adam update written with stock tfjs ops: m, v and the value after one step. */
function reference(g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, value: tf.Tensor, alpha: number) {
  const m2 = tf.add(m, tf.mul(tf.sub(g, m), 1 - 0.9));
  const v2 = tf.add(v, tf.mul(tf.sub(tf.square(g), v), 1 - 0.999));
  return [m2, v2, tf.sub(value, tf.div(tf.mul(m2, alpha), tf.add(tf.sqrt(v2), 1e-7)))].map((t) => [...t.dataSync()]);
}

describe('KerasAdam kernel', () => {
  it('updates every variable in one call, bit for bit as the stock ops do', () => {
    tf.tidy(() => {
      const shapes = [[3, 3, 32, 64], [64], [70001]];
      const vars = shapes.map((s) => ({ g: tf.mul(randn(s), 1e-3), m: tf.mul(randn(s), 1e-3), v: tf.abs(tf.mul(randn(s), 1e-6)), value: randn(s) }));
      const alpha = Math.fround(1e-3 * Math.sqrt(1 - 0.999 ** 3) / (1 - 0.9 ** 3));
      const inputs = Object.fromEntries(vars.flatMap((s, i) => [[`gradient${i}`, s.g], [`m${i}`, s.m], [`v${i}`, s.v], [`value${i}`, s.value]]));
      const outs = runNativeOnlyMulti('XferKerasAdam', inputs, { count: vars.length, alpha, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
      expect(outs).toHaveLength(3 * vars.length);
      vars.forEach((s, i) => {
        const [m, v, value] = reference(s.g, s.m, s.v, s.value, alpha);
        expect(outs[i]).toEqual(m);
        expect(outs[vars.length + i]).toEqual(v);
        expect(outs[2 * vars.length + i]).toEqual(value);
      });
    });
  });

  it('refuses lists that do not match, without touching memory', () => {
    const native = loadBinding();
    const a = new Float32Array(8);
    const short = new Float32Array(7);
    const step: [number, number, number, number] = [1e-3, 0.1, 0.001, 1e-7];
    expect(() => native.kerasAdam(step, [a], [a], [a], [a], [a], [a], [short])).toThrow(/valuesOut\[0\] does not have its gradient's size/);
    expect(() => native.kerasAdam(step, [a, a], [a], [a], [a], [a], [a], [a])).toThrow(/lists differ in length/);
    expect(() => native.kerasAdam(step, [a], [a], [a], [a], [a], [a], [new Float64Array(8) as unknown as Float32Array])).toThrow(TypeError);
  });
});

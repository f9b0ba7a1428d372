import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';

import { loadBinding } from '../src/binding.js';
import { primitives, setPrecision } from '../src/index.js';
import { expectAgrees, randn } from './helpers.js';
import { DENSE_CASES, DEPTHWISE_CASES } from './xception_shapes.js';

/**
 * bf16 keeps 8 significant bits: each product is off by up to 2^-8 relatively, and float32 sums
 * of a few hundred of them land within ~1% of the largest output. Above 1e-4 (float32's bound in
 * the other tests) shows the kernel did compute in bf16.
 */
const BF16_TOLERANCE = 2e-2;
const bf16 = loadBinding().info().bf16;

describe.skipIf(!bf16)('mixed_bfloat16: convolutions and matmuls read bf16, accumulate float32', () => {
  afterEach(() => setPrecision('float32'));

  const c = DENSE_CASES.find((d) => d.k === 1 && d.stride === 1)!;
  const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dilations: 1 };
  const filterShape = [c.k, c.k, c.x[3], c.out];

  it(`Conv2D and its two gradients (${c.name}) agree with float32 tfjs within bf16's precision`, () => {
    setPrecision('mixed_bfloat16');
    tf.tidy(() => {
      const x = randn(c.x);
      const filter = randn(filterShape);
      const dy = randn(tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, c.stride, c.pad).shape);
      const errors = [
        expectAgrees('Conv2D', { x, filter }, attrs, BF16_TOLERANCE),
        expectAgrees('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: c.x }, BF16_TOLERANCE),
        expectAgrees('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape }, BF16_TOLERANCE),
      ];
      for (const e of errors) expect(e).toBeGreaterThan(1e-4);
    });
    const kinds = primitives().filter((p) => p.key.includes(',bf16,'));
    expect(kinds.map((p) => p.kind).sort()).toEqual(['conv_backward_data', 'conv_backward_weights', 'conv_forward']);
    for (const p of kinds) expect(p.impl).toMatch(/bf16/);
  });

  it('the strided 1x1 gradients, whose jit_1x1 kernels corrupt the heap, take a safe implementation in bf16 too', () => {
    setPrecision('mixed_bfloat16');
    const r = DENSE_CASES.find((d) => d.k === 1 && d.stride === 2)!;
    const rAttrs = { strides: r.stride, pad: r.pad, dataFormat: 'NHWC', dilations: 1 };
    const rFilter = [1, 1, r.x[3], r.out];
    tf.tidy(() => {
      const dy = randn(tf.conv2d(randn(r.x) as tf.Tensor4D, randn(rFilter) as tf.Tensor4D, r.stride, r.pad).shape);
      expectAgrees('Conv2DBackpropInput', { dy, filter: randn(rFilter) }, { ...rAttrs, inputShape: r.x }, BF16_TOLERANCE);
      expectAgrees('Conv2DBackpropFilter', { x: randn(r.x), dy }, { ...rAttrs, filterShape: rFilter }, BF16_TOLERANCE);
    });
    const strided = primitives().filter((q) => q.kind.startsWith('conv_backward') && q.key.includes(`,1,1,${r.stride},${r.stride},`));
    expect(strided).toHaveLength(2);
    for (const p of strided) expect(p.impl).not.toMatch(/^jit(_bf16)?_1x1/);
  });

  it('a depthwise convolution and a matmul too', () => {
    setPrecision('mixed_bfloat16');
    const d = DEPTHWISE_CASES[0]!;
    tf.tidy(() => {
      const dwAttrs = { strides: d.stride, pad: d.pad, dataFormat: 'NHWC', dilations: 1 };
      expect(expectAgrees('DepthwiseConv2dNative', { x: randn(d.x), filter: randn([d.k, d.k, d.x[3], 1]) }, dwAttrs, BF16_TOLERANCE)).toBeGreaterThan(1e-4);
      const e = expectAgrees('BatchMatMul', { a: randn([1, 32, 2048]), b: randn([1, 2048, 10]) }, { transposeA: false, transposeB: false }, BF16_TOLERANCE);
      expect(e).toBeGreaterThan(1e-5);
    });
  });

  it('a depthwise weight gradient stays float32, where bf16 is slower: exact, from a float32 primitive', () => {
    setPrecision('mixed_bfloat16');
    const d = DEPTHWISE_CASES[0]!;
    const filterShape = [d.k, d.k, d.x[3], 1];
    tf.tidy(() => {
      const x = randn(d.x);
      const dy = randn(tf.depthwiseConv2d(x as tf.Tensor4D, randn(filterShape) as tf.Tensor4D, d.stride, d.pad).shape);
      expectAgrees('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { strides: d.stride, pad: d.pad, dataFormat: 'NHWC', dilations: 1, filterShape });
    });
    // The key ends with the geometry's groups (the channel count) and a 0.
    const gradients = primitives().filter((p) => p.kind === 'conv_backward_weights' && p.key.endsWith(`,${d.x[3]},0`));
    expect(gradients).toHaveLength(1);
    expect(gradients[0]!.key).toMatch(/^bwd_w,f32,/);
  });

  it('back to float32, the same kernels are exact again', () => {
    setPrecision('mixed_bfloat16');
    setPrecision('float32');
    tf.tidy(() => expectAgrees('Conv2D', { x: randn(c.x), filter: randn(filterShape) }, attrs));
    expect(loadBinding().info().precision).toBe('float32');
  });
});

describe('setPrecision', () => {
  it('refuses a name it does not know', () => {
    expect(() => setPrecision('float16' as never)).toThrow(/'float32' or 'mixed_bfloat16', not 'float16'/);
  });

  it('refuses mixed_bfloat16 on a CPU without native bf16, naming its ISA, and keeps float32', () => {
    // oneDNN's ONEDNN_MAX_CPU_ISA caps the ISA it uses: this CPU then looks like one without bf16.
    // A child process, as oneDNN reads it once; it loads the built package (dist/).
    const script = `
      import { setPrecision, info } from ${JSON.stringify(fileURLToPath(new URL('../dist/index.js', import.meta.url)))};
      try { setPrecision('mixed_bfloat16'); console.log('accepted'); } catch (e) { console.log(e.message); }
      console.log(JSON.stringify(info()));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, ONEDNN_MAX_CPU_ISA: 'AVX2' },
      encoding: 'utf8',
    }).trim().split('\n');
    expect(out[0]).toBe('mixed_bfloat16 needs a CPU that computes bf16 natively (AVX512-BF16 or AMX); oneDNN\'s ISA here is avx2');
    expect(JSON.parse(out[1]!)).toMatchObject({ isa: 'avx2', bf16: false, precision: 'float32' });
  });
});

/**
 * The CUDA path: the fused batch maths (native/cuda/fused_pixel.h) against
 * the CPU path, the Loader's device option, and the GPU-only checks.
 *
 * Without a GPU the kernel's maths is tested by running the same inline
 * functions compiled for the host (fusedBatch with device 'cpu'): what the
 * device computes differs from that only where the compiler could contract
 * float operations, and fused_pixel.h rules that out with the _rn intrinsics.
 */
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';

import { loadBinding } from '../src/binding.js';
import {
  CudaUnavailableError,
  Loader,
  augment,
  augmentParams,
  decode,
  decodeResizeBatch,
  info,
  type FillMode,
  type Image,
  type Interpolation,
  type LoaderOptions,
} from '../src/index.js';
import { corpusPath, corpusSample, maxAbsDiff, rng } from './helpers.js';

const cuda = info().cuda;
const noDevice = `no CUDA device: ${cuda.reason ?? ''}`;

const FILLS: FillMode[] = ['reflect', 'wrap', 'constant', 'nearest'];
const INTERPOLATIONS: Interpolation[] = ['bilinear', 'nearest'];
const NORMALIZE = { scale: 1 / 127.5, offset: -1 };

interface Draw {
  flipHorizontal: boolean;
  flipVertical: boolean;
  angle: number;
}

interface Case {
  fill: FillMode;
  interpolation: Interpolation;
  fillValue: number;
  float32: boolean;
}

/** Decoded images packed back to back, with fusedBatch's 6 numbers per image. */
function pack(images: Image[], draws: Draw[]): { pixels: Uint8Array; desc: Float64Array } {
  const total = images.reduce((n, im) => n + im.data.length, 0);
  const pixels = new Uint8Array(total);
  const desc = new Float64Array(images.length * 6);
  let offset = 0;
  images.forEach((im, i) => {
    pixels.set(im.data, offset);
    const d = draws[i]!;
    desc.set([offset, im.width, im.height, d.flipHorizontal ? 1 : 0, d.flipVertical ? 1 : 0, d.angle], i * 6);
    offset += im.data.length;
  });
  return { pixels, desc };
}

async function fused(
  device: 'cpu' | 'cuda',
  images: Image[],
  draws: Draw[],
  size: [number, number],
  c: Case,
): Promise<Float32Array | Uint8Array> {
  const { pixels, desc } = pack(images, draws);
  const r = await loadBinding().fusedBatch(pixels, desc, {
    device,
    width: size[0],
    height: size[1],
    fill: c.fill,
    fillValue: c.fillValue,
    interpolation: c.interpolation,
    ...NORMALIZE,
    dtype: c.float32 ? 'float32' : 'uint8',
    repeats: 1,
  });
  return c.float32 ? new Float32Array(r.data) : new Uint8Array(r.data);
}

/** The CPU path: the resized uint8 image (what the cache holds), then the fused flip/rotate/normalize pass. */
async function cpuPath(resized: Image[], draws: Draw[], c: Case): Promise<Float32Array | Uint8Array> {
  const outs = await Promise.all(
    resized.map((im, i) =>
      augment(im, { ...draws[i]!, fill: c.fill, fillValue: c.fillValue, interpolation: c.interpolation, normalize: NORMALIZE, dtype: c.float32 ? 'float32' : 'uint8' }),
    ),
  );
  const n = outs.reduce((k, o) => k + o.data.length, 0);
  const all = c.float32 ? new Float32Array(n) : new Uint8Array(n);
  let at = 0;
  for (const o of outs) {
    all.set(o.data, at);
    at += o.data.length;
  }
  return all;
}

/**
 * Per image: both flips, the identity, Keras-range angles (RandomRotation(0.1)
 * is +-0.63 rad) and large ones that send most samples through the fill mode.
 */
function drawsFor(count: number, seed: number): Draw[] {
  const next = rng(seed);
  const fixed: Draw[] = [
    { flipHorizontal: false, flipVertical: false, angle: 0 },
    { flipHorizontal: true, flipVertical: false, angle: 0 },
    { flipHorizontal: true, flipVertical: true, angle: 2.9 },
    { flipHorizontal: false, flipVertical: true, angle: -4.4 },
  ];
  return Array.from({ length: count }, (_, i) =>
    fixed[i] ?? { flipHorizontal: next() < 0.5, flipVertical: next() < 0.2, angle: (next() * 2 - 1) * 0.2 * 2 * Math.PI },
  );
}

/** A PNG of uniform noise (lossless, so decode() gives back exactly these pixels): the worst case for a misplaced tap. */
async function noisePng(width: number, height: number, seed: number): Promise<Uint8Array> {
  const next = rng(seed);
  const raw = new Uint8Array(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = Math.floor(next() * 256);
  return new Uint8Array(await sharp(raw, { raw: { width, height, channels: 3 } }).png().toBuffer());
}

describe('fused batch maths on the host (the kernel\'s code, compiled for the CPU) equals the CPU path', () => {
  // Varied decoded sizes in one packed batch: corpus photos of every kind
  // (downscaled), noise images smaller than the output (upscaled) and one of
  // exactly the output size (a cached image: the identity resize).
  const size: [number, number] = [150, 150];
  const sources: Array<string | Uint8Array> = [];
  let decoded: Image[] = [];
  let resized: Image[] = [];
  let draws: Draw[] = [];

  beforeAll(async () => {
    sources.push(...corpusSample(8, 600 * 600).map(corpusPath));
    sources.push(await noisePng(97, 61, 1), await noisePng(150, 150, 2), await noisePng(23, 149, 3));
    decoded = await Promise.all(sources.map((s) => decode(s)));
    // mode 'exact' is the full-scale decode (what decode() returns) then the TF resize to uint8.
    const r = await decodeResizeBatch(sources, { size, mode: 'exact' });
    expect(r.failures).toEqual([]);
    const bytes = size[0] * size[1] * 3;
    resized = sources.map((_, i) => ({ data: (r.data as Uint8Array).subarray(i * bytes, (i + 1) * bytes), width: size[0], height: size[1], channels: 3 }));
    draws = drawsFor(sources.length, 7);
  });

  for (const fill of FILLS) {
    for (const interpolation of INTERPOLATIONS) {
      it(`${fill} fill, ${interpolation}: max abs diff 0 (float32) on 11 images of 6 sizes, flips and angles incl. 0 and beyond +-pi`, async () => {
        const c: Case = { fill, interpolation, fillValue: fill === 'constant' ? 37.5 : 0, float32: true };
        // Bound 0: both sides run the same IEEE float/double operations in the
        // same order (no FMA on either side), from the same uint8 resized
        // values, so any difference is a divergence in semantics.
        const [host, cpu] = await Promise.all([fused('cpu', decoded, draws, size, c), cpuPath(resized, draws, c)]);
        expect(host.length).toBe(sources.length * size[0] * size[1] * 3);
        expect(maxAbsDiff(host, cpu)).toBe(0);
      });
    }
  }

  it('uint8 output: identical to the CPU path (reflect and constant, bilinear)', async () => {
    for (const fill of ['reflect', 'constant'] as const) {
      const c: Case = { fill, interpolation: 'bilinear', fillValue: 200, float32: false };
      const [host, cpu] = await Promise.all([fused('cpu', decoded, draws, size, c), cpuPath(resized, draws, c)]);
      expect(host).toBeInstanceOf(Uint8Array);
      expect(maxAbsDiff(host, cpu)).toBe(0);
    }
  });

  it('fed the resized images (what the Loader\'s CUDA path stages), it equals the CPU path too', async () => {
    const c: Case = { fill: 'reflect', interpolation: 'bilinear', fillValue: 0, float32: true };
    const [host, cpu] = await Promise.all([fused('cpu', resized, draws, size, c), cpuPath(resized, draws, c)]);
    expect(maxAbsDiff(host, cpu)).toBe(0);
  });

  it('the comparison can fail: another fill mode, a float (unrounded) resize or a missed flip all differ', async () => {
    const c: Case = { fill: 'reflect', interpolation: 'bilinear', fillValue: 0, float32: true };
    const host = await fused('cpu', decoded, draws, size, c);
    expect(maxAbsDiff(host, await cpuPath(resized, draws, { ...c, fill: 'wrap' }))).toBeGreaterThan(0.1);
    const flipped = draws.map((d) => ({ ...d, flipHorizontal: !d.flipHorizontal }));
    expect(maxAbsDiff(host, await cpuPath(resized, flipped, c))).toBeGreaterThan(0.1);
    // The resized intermediate is rounded to nearest, as the cache stores it;
    // truncating it instead is caught.
    const r = await decodeResizeBatch(sources, { size, mode: 'exact', dtype: 'float32' });
    const bytes = size[0] * size[1] * 3;
    const unrounded = r.data as Float32Array;
    const one = await augment(
      { data: Uint8Array.from(unrounded.subarray(0, bytes), (v) => Math.trunc(v)), width: 150, height: 150, channels: 3 },
      { ...draws[0]!, normalize: NORMALIZE, dtype: 'float32' },
    );
    expect(maxAbsDiff(host.subarray(0, bytes), one.data)).toBeGreaterThan(0);
  });
});

function loaderOptions(extra: Partial<LoaderOptions> = {}): LoaderOptions {
  const files = corpusSample(6, 600 * 600).map(corpusPath);
  return {
    sources: files,
    labels: files.map((_, i) => i % 2),
    size: [64, 48],
    batchSize: 4,
    seed: 3,
    augment: { flip: 'horizontal', rotation: 0.1 },
    normalize: NORMALIZE,
    threads: 2,
    ...extra,
  };
}

async function epochData(loader: Loader, epoch: number): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for await (const b of loader.epoch(epoch)) {
    out.push(Float32Array.from(b.data as Float32Array));
    b.release();
  }
  return out;
}

describe('Loader device option', () => {
  it('info().cuda says the rule auto applies', () => {
    expect(cuda.autoMinBatchPixels).toBe(2 ** 18);
  });

  it('rejects anything but auto, cpu and cuda, naming them', () => {
    expect(() => new Loader(loaderOptions({ device: 'gpu' as never }))).toThrow(/options\.device must be 'auto', 'cpu', 'cuda', got "gpu"/);
    expect(() => new Loader(loaderOptions({ device: 1 as never }))).toThrow(RangeError);
  });

  it("'cpu' runs on the CPU and says it was asked to", async () => {
    const loader = new Loader(loaderOptions({ device: 'cpu' }));
    try {
      expect(loader.device).toEqual({ kind: 'cpu', reason: "device 'cpu' was requested" });
      expect(loader.stats().ring.memory).toBe('host');
    } finally {
      await loader.close();
    }
  });

  it.skipIf(cuda.available)(`auto without a device: the CPU, with CUDA's own reason (skipped where a device is present)`, async () => {
    const loader = new Loader(loaderOptions());
    try {
      expect(loader.device.kind).toBe('cpu');
      expect(loader.device.reason).toBe(`auto: CUDA is not available (${cuda.reason})`);
      expect(loader.stats().ring.memory).toBe('host');
    } finally {
      await loader.close();
    }
  });

  it.skipIf(!cuda.available)(`auto with a device: a small batch stays on the CPU and says why (${cuda.available ? 'device present' : `needs a GPU: ${noDevice}`})`, async () => {
    const loader = new Loader(loaderOptions());
    try {
      expect(loader.device.kind).toBe('cpu');
      expect(loader.device.reason).toMatch(/^auto: a batch of 4 x 64 x 48 = 12288 pixels is below the 262144/);
    } finally {
      await loader.close();
    }
  });

  it.skipIf(cuda.available)("'cuda' without a device: a CudaUnavailableError that says why (skipped where a device is present)", () => {
    let error: unknown;
    try {
      new Loader(loaderOptions({ device: 'cuda' }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CudaUnavailableError);
    const e = error as CudaUnavailableError;
    expect(e.code).toBe('CUDA_UNAVAILABLE');
    expect(e.reason).toBe(`device 'cuda' was requested but CUDA is not available (${cuda.reason})`);
  });

  it('CPU behaviour is the same under auto and cpu: identical batches, no GPU time', async () => {
    const a = new Loader(loaderOptions({ device: 'cpu' }));
    const b = new Loader(loaderOptions({ device: 'auto' }));
    try {
      const [da, db] = await Promise.all([epochData(a, 1), epochData(b, 1)]);
      expect(db).toEqual(da);
      expect(a.stats().perStageMs.gpu).toBe(0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('on a CUDA device', () => {
  const skip = !cuda.available;
  const why = skip ? ` (needs a GPU: ${noDevice})` : '';

  it.skipIf(skip)(`fusedBatch on the GPU equals the host maths exactly, every fill mode and interpolation${why}`, async () => {
    const files = corpusSample(16, 600 * 600).map(corpusPath);
    const decoded = await Promise.all(files.map((f) => decode(f)));
    const draws = drawsFor(files.length, 9);
    for (const fill of FILLS) {
      for (const interpolation of INTERPOLATIONS) {
        const c: Case = { fill, interpolation, fillValue: 12, float32: true };
        const [gpu, host] = await Promise.all([fused('cuda', decoded, draws, [224, 224], c), fused('cpu', decoded, draws, [224, 224], c)]);
        expect(maxAbsDiff(gpu, host), `${fill} ${interpolation}`).toBe(0);
      }
    }
  });

  it.skipIf(skip)(`a Loader on 'cuda' gives the batches of 'cpu', in pinned slots${why}`, async () => {
    const options = loaderOptions({ batchSize: 3 });
    const gpu = new Loader({ ...options, device: 'cuda' });
    const cpu = new Loader({ ...options, device: 'cpu' });
    try {
      expect(gpu.device.kind).toBe('cuda');
      expect(gpu.stats().ring.memory).toBe('pinned');
      for (const epoch of [0, 1]) {
        const [g, c] = await Promise.all([epochData(gpu, epoch), epochData(cpu, epoch)]);
        expect(g).toEqual(c);
      }
      expect(gpu.stats().perStageMs.gpu).toBeGreaterThan(0);
    } finally {
      await Promise.all([gpu.close(), cpu.close()]);
    }
  });

  it.skipIf(skip)(`augmentParams draws drive both paths alike (a Loader on 'cuda' matches augment())${why}`, async () => {
    const options = loaderOptions({ batchSize: 6, size: [40, 30] });
    const loader = new Loader({ ...options, device: 'cuda' });
    try {
      const r = await decodeResizeBatch(options.sources, { size: [40, 30] });
      for await (const b of loader.epoch(2)) {
        for (let k = 0; k < b.size; k++) {
          const i = b.indices[k]!;
          const d = augmentParams(3, 2, i, { flip: 'horizontal', rotation: 0.1 });
          const img = { data: (r.data as Uint8Array).subarray(i * 3600, (i + 1) * 3600), width: 40, height: 30, channels: 3 as const };
          const ref = await augment(img, { ...d, normalize: NORMALIZE, dtype: 'float32' });
          expect(maxAbsDiff(b.data.subarray(k * 3600, (k + 1) * 3600), ref.data)).toBe(0);
        }
        b.release();
      }
    } finally {
      await loader.close();
    }
  });
});

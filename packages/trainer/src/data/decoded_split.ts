import { decodeResizeBatch } from '@xfer/native-preproc';
import type { Example } from '../datasets/example.js';
import { nativeSources } from './native_sources.js';

/** An image that could not be decoded, and why. Training goes on without it. */
export interface DecodeFailure {
  source: string;
  reason: string;
}

/**
 * A split decoded and resized once into one uint8 NHWC block (the in-memory cache): epochs after
 * the first decode nothing.
 */
export interface DecodedSplit {
  pixels: Uint8Array;
  labels: Int32Array;
  sources: string[];
  size: [width: number, height: number];
  failures: DecodeFailure[];
  count: number;
}

export interface DecodeSplitOptions {
  size: [width: number, height: number];
  threads?: number;
  /** Images per native call. */
  chunk?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Decodes every example through the native addon, one native call per chunk, dropping failures. */
export async function decodeSplit(examples: readonly Example[], options: DecodeSplitOptions): Promise<DecodedSplit> {
  const [w, h] = options.size;
  const per = w * h * 3;
  const chunk = options.chunk ?? 64;
  const pixels = new Uint8Array(examples.length * per);
  const labels = new Int32Array(examples.length);
  const sources: string[] = [];
  const failures: DecodeFailure[] = [];
  const readable = await nativeSources(examples);
  failures.push(...readable.failures);
  let kept = 0;
  for (let start = 0; start < readable.kept.length; start += chunk) {
    const part = readable.kept.slice(start, start + chunk);
    const batch = await decodeResizeBatch(readable.sources.slice(start, start + chunk), { size: options.size, threads: options.threads });
    const data = batch.data as Uint8Array;
    for (let i = 0; i < part.length; i++) {
      if (batch.ok[i] !== 1) continue;
      pixels.set(data.subarray(i * per, (i + 1) * per), kept * per);
      labels[kept] = part[i]!.label;
      sources.push(part[i]!.source);
      kept++;
    }
    for (const f of batch.failures) {
      // The native message starts with the source it was given; the example's own name replaces it.
      const message = f.message.startsWith(`${f.source}: `) ? f.message.slice(f.source.length + 2) : f.message;
      failures.push({ source: part[f.index]!.source, reason: `${f.code}: ${message}` });
    }
    options.onProgress?.(Math.min(start + chunk, readable.kept.length), readable.kept.length);
  }
  return { pixels: pixels.subarray(0, kept * per), labels: labels.subarray(0, kept), sources, size: options.size, failures, count: kept };
}

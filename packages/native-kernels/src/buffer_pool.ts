import { totalmem } from 'node:os';

import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { DataId, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * Output arrays for the native kernels, recycled from the ones the backend has released.
 *
 * A fresh Float32Array is zero pages that fault in on first write: 0.34 ms per MB here, and a
 * fine-tune step of the recipe writes 5.8 GB of kernel outputs (the frozen step 2.3 GB), so a
 * third of the step went to the kernel handing out and zeroing pages. Every step asks for the
 * same sizes again, so an array the backend releases is kept by length for the next output.
 *
 * An array may be recycled only while nothing else can see it. The cpu backend hands a tensor's
 * storage out as it is (`dataSync()`, `data()`, and kernels that store a subarray of their input
 * as a new tensor, such as a contiguous Slice), so an array that is read, or whose buffer another
 * tensor's storage shares, is never recycled: it is left to the garbage collector as before.
 */
class BufferPool {
  /** Released arrays by length, ready to be written again. */
  private readonly free = new Map<number, Float32Array[]>();
  private freeBytes = 0;
  /** Buffers this pool handed out, and those of them that escaped to other holders. */
  private readonly ours = new WeakSet<ArrayBufferLike>();
  private readonly escaped = new WeakSet<ArrayBufferLike>();
  /** True while {@link adopt} stores one of our arrays, which is not an escape. */
  private adopting = false;

  /** Released arrays kept at most: a quarter of the machine's memory. */
  private readonly capBytes = totalmem() / 4;

  /** The backend's own methods, put back by {@link detach}. */
  private readonly original: Pick<MathBackendCPU, 'write' | 'readSync' | 'disposeData'>;

  constructor(private readonly backend: MathBackendCPU) {
    const { write, readSync, disposeData } = backend;
    this.original = { write, readSync, disposeData };
    backend.write = (values, shape, dtype) => {
      if (!this.adopting) this.markEscaped(values);
      return write.call(backend, values, shape, dtype);
    };
    backend.readSync = (dataId) => {
      this.markEscaped(backend.data.get(dataId)?.values);
      return readSync.call(backend, dataId);
    };
    backend.disposeData = (dataId: DataId, force?: boolean) => {
      const values = backend.data.get(dataId)?.values;
      const released = disposeData.call(backend, dataId, force);
      if (released && values instanceof Float32Array) this.put(values);
      return released;
    };
  }

  /** An array of `length` floats with arbitrary contents, which the caller must overwrite entirely. */
  take(length: number): Float32Array {
    const reused = this.free.get(length)?.pop();
    if (!reused) {
      const fresh = new Float32Array(length);
      this.ours.add(fresh.buffer);
      return fresh;
    }
    this.freeBytes -= reused.byteLength;
    return reused;
  }

  /** Stores `values`, taken from this pool and written, as a new tensor's storage. */
  adopt(shape: number[], values: Float32Array): TensorInfo {
    this.adopting = true;
    try {
      return this.backend.makeTensorInfo(shape, 'float32', values);
    } finally {
      this.adopting = false;
    }
  }

  /** Gives the backend its own methods back and drops the released arrays. */
  detach(): void {
    Object.assign(this.backend, this.original);
    this.free.clear();
    this.freeBytes = 0;
  }

  private markEscaped(values: unknown): void {
    if (ArrayBuffer.isView(values) && this.ours.has(values.buffer)) this.escaped.add(values.buffer);
  }

  private put(values: Float32Array): void {
    if (!this.ours.has(values.buffer) || this.escaped.has(values.buffer)) return;
    if (this.freeBytes + values.byteLength > this.capBytes) return;
    const list = this.free.get(values.length);
    if (list) list.push(values);
    else this.free.set(values.length, [values]);
    this.freeBytes += values.byteLength;
  }
}

const pools = new Map<MathBackendCPU, BufferPool>();

/** The pool of `backend`, which starts watching the backend's storage the first time it is asked for. */
export function bufferPool(backend: MathBackendCPU): BufferPool {
  let pool = pools.get(backend);
  if (!pool) {
    pool = new BufferPool(backend);
    pools.set(backend, pool);
  }
  return pool;
}

/** Detaches every pool, when the native kernels are unregistered. */
export function detachBufferPools(): void {
  for (const pool of pools.values()) pool.detach();
  pools.clear();
}

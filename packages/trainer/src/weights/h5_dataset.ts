import type { Dataset } from 'h5wasm/node';

/** One weight array read from a Keras file. */
export interface WeightArray {
  /** Its name in the file: the weight name (legacy) or the index under `vars/` (Keras 3). */
  name: string;
  shape: number[];
  data: Float32Array;
}

/** HDF5's class number for floating-point types (H5T_FLOAT). */
const H5T_FLOAT = 1;

/** A float32 or float64 dataset as float32: Keras keeps its variables in float32, also under mixed precision. */
export function datasetWeight(ds: Dataset, name: string, file: string): WeightArray {
  const { type, size } = ds.metadata;
  if (type !== H5T_FLOAT || (size !== 4 && size !== 8)) {
    const kind = type === H5T_FLOAT ? `float${size * 8}` : `HDF5 type ${JSON.stringify(ds.dtype)}`;
    throw new Error(`${file}: weight '${ds.path}' is ${kind}; xfer reads float32 and float64 weights`);
  }
  const value = ds.value as Float32Array | Float64Array | number;
  const data = value instanceof Float32Array ? value : typeof value === 'number' ? Float32Array.of(value) : Float32Array.from(value);
  return { name, shape: [...(ds.shape ?? [])], data };
}

/** A decoded image: packed RGB, row-major, 3 bytes per pixel. */
export interface Image {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3;
}

/** Packed RGB as float32 (augment() with dtype 'float32'). */
export interface FloatImage {
  data: Float32Array;
  width: number;
  height: number;
  channels: 3;
}

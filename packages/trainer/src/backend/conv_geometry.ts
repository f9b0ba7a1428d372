/** The geometry a 2-D convolution's gradient needs, resolved from its kernel attributes. */
export interface ConvGeometry {
  strides: [number, number];
  /** Zero rows/columns added before and after the input, as the forward pass padded it. */
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
}

type Pad = 'same' | 'valid' | number | number[][];

function pair(v: number | number[]): [number, number] {
  return typeof v === 'number' ? [v, v] : [v[0] ?? 1, v[1] ?? v[0] ?? 1];
}

/**
 * Resolves TF's padding rule for NHWC input [N,H,W,C], a [kh,kw] kernel and the given stride.
 * 'same' puts the odd extra row at the bottom/right, as TF does.
 */
export function convGeometry(
  inShape: readonly number[],
  kernel: [number, number],
  strides: number | number[],
  pad: Pad,
  dilations: number | number[] | undefined,
): ConvGeometry {
  const [sh, sw] = pair(strides);
  const [dh, dw] = pair(dilations ?? 1);
  if (dh !== 1 || dw !== 1) throw new Error('xfer gradients: dilated convolutions are not supported');
  const h = inShape[1] ?? 0;
  const w = inShape[2] ?? 0;
  const [kh, kw] = kernel;
  if (pad === 'valid') return { strides: [sh, sw], padTop: 0, padBottom: 0, padLeft: 0, padRight: 0 };
  if (pad === 'same') {
    const oh = Math.ceil(h / sh);
    const ow = Math.ceil(w / sw);
    const th = Math.max((oh - 1) * sh + kh - h, 0);
    const tw = Math.max((ow - 1) * sw + kw - w, 0);
    return {
      strides: [sh, sw],
      padTop: Math.floor(th / 2),
      padBottom: th - Math.floor(th / 2),
      padLeft: Math.floor(tw / 2),
      padRight: tw - Math.floor(tw / 2),
    };
  }
  if (typeof pad === 'number') return { strides: [sh, sw], padTop: pad, padBottom: pad, padLeft: pad, padRight: pad };
  // Explicit NHWC padding [[0,0],[top,bottom],[left,right],[0,0]].
  const rows = pad[1] ?? [0, 0];
  const cols = pad[2] ?? [0, 0];
  return { strides: [sh, sw], padTop: rows[0] ?? 0, padBottom: rows[1] ?? 0, padLeft: cols[0] ?? 0, padRight: cols[1] ?? 0 };
}

/**
 * The demo set's pictures. Cats are drawn faces with pointed triangular ears, slit eyes, a small
 * nose and whiskers; dogs have long floppy ears, round eyes, a big round nose, a muzzle and a
 * tongue. Everything else (position, scale, rotation, proportions, colours, background, distractor
 * shapes, image size, JPEG quality) comes from distributions shared by both classes, so the face
 * is the only class cue.
 *
 * Every number drawn here reaches the set's bytes: a change in the order or the ranges of the draws
 * needs a DEMO_GENERATOR_VERSION bump.
 */
import sharp, { type Sharp } from 'sharp';
import { DemoRng } from './demo_rng.js';

type Rgb = [number, number, number];

function hsl(h: number, s: number, l: number): Rgb {
  // h in [0, 360), s and l in [0, 1]
  const c = (1 - Math.abs(2 * l - 1)) * s;
  const hp = (((h % 360) + 360) % 360) / 60;
  const x = c * (1 - Math.abs((hp % 2) - 1));
  const [r, g, b] =
    hp < 1 ? [c, x, 0] : hp < 2 ? [x, c, 0] : hp < 3 ? [0, c, x] : hp < 4 ? [0, x, c] : hp < 5 ? [x, 0, c] : [c, 0, x];
  const m = l - c / 2;
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}

function css(c: Rgb): string {
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

function shade(c: Rgb, f: number): Rgb {
  // f < 0 darkens towards black, f > 0 lightens towards white
  return c.map((v) => Math.round(f < 0 ? v * (1 + f) : v + (255 - v) * f)) as Rgb;
}

function anyColor(rng: DemoRng): Rgb {
  return hsl(rng.range(0, 360), rng.range(0.1, 0.9), rng.range(0.15, 0.85));
}

/** A fur colour: the same distribution for cats and dogs (greys, browns, gingers, creams, odd hues). */
function furColor(rng: DemoRng): Rgb {
  if (rng.chance(0.25)) return hsl(rng.range(0, 360), rng.range(0.2, 0.7), rng.range(0.3, 0.75));
  return hsl(rng.range(15, 45), rng.range(0, 0.7), rng.range(0.12, 0.85));
}

const f2 = (x: number): string => x.toFixed(2);

/** Gradient + low-frequency colour blotches + per-pixel noise, as raw RGB. */
function background(rng: DemoRng, w: number, h: number): Buffer {
  const c0 = anyColor(rng);
  const c1 = rng.chance(0.3) ? shade(c0, rng.range(-0.4, 0.4)) : anyColor(rng);
  const ang = rng.range(0, Math.PI * 2);
  const ux = Math.cos(ang);
  const uy = Math.sin(ang);
  const half = (Math.abs(ux) * w + Math.abs(uy) * h) / 2 || 1;
  const gw = rng.int(2, 7);
  const gh = rng.int(2, 7);
  const blot = rng.range(0, 45);
  const grid = new Float32Array(gw * gh * 3);
  for (let i = 0; i < grid.length; i++) grid[i] = rng.range(-blot, blot);
  const noise = rng.range(3, 30);
  const buf = Buffer.alloc(w * h * 3);
  const noiseRng = new DemoRng(rng.u32());
  const gx = new Float32Array(w);
  for (let x = 0; x < w; x++) gx[x] = (x * (gw - 1)) / Math.max(1, w - 1);
  let o = 0;
  for (let y = 0; y < h; y++) {
    const fy = (y * (gh - 1)) / Math.max(1, h - 1);
    const y0 = Math.min(gh - 2, Math.floor(fy));
    const ty = fy - y0;
    for (let x = 0; x < w; x++) {
      const t = Math.min(1, Math.max(0, ((x - w / 2) * ux + (y - h / 2) * uy) / (2 * half) + 0.5));
      const fx = gx[x]!;
      const x0 = Math.min(gw - 2, Math.floor(fx));
      const tx = fx - x0;
      const i00 = (y0 * gw + x0) * 3;
      const i10 = i00 + 3;
      const i01 = i00 + gw * 3;
      const i11 = i01 + 3;
      const r = noiseRng.u32();
      for (let c = 0; c < 3; c++) {
        const g =
          (grid[i00 + c]! * (1 - tx) + grid[i10 + c]! * tx) * (1 - ty) +
          (grid[i01 + c]! * (1 - tx) + grid[i11 + c]! * tx) * ty;
        const n = ((((r >>> (c * 8)) & 0xff) - 127.5) / 127.5) * noise;
        const v = c0[c]! + (c1[c]! - c0[c]!) * t + g + n;
        buf[o++] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
  return buf;
}

/** Random shapes shared by both classes (some of them triangles and ellipses, like ears). */
function distractor(rng: DemoRng, w: number, h: number, m: number): string {
  const x = rng.range(0, w);
  const y = rng.range(0, h);
  const s = rng.range(0.04, 0.22) * m;
  const fill = css(anyColor(rng));
  const op = f2(rng.range(0.5, 1));
  const rot = f2(rng.range(0, 360));
  switch (rng.int(0, 5)) {
    case 0:
      return `<circle cx="${f2(x)}" cy="${f2(y)}" r="${f2(s / 2)}" fill="${fill}" opacity="${op}"/>`;
    case 1:
      return `<rect x="${f2(-s / 2)}" y="${f2(-s / 3)}" width="${f2(s)}" height="${f2((s * 2) / 3)}" fill="${fill}" opacity="${op}" transform="translate(${f2(x)} ${f2(y)}) rotate(${rot})"/>`;
    case 2:
      return `<ellipse cx="0" cy="0" rx="${f2(s / 2)}" ry="${f2(s / 5)}" fill="${fill}" opacity="${op}" transform="translate(${f2(x)} ${f2(y)}) rotate(${rot})"/>`;
    case 3:
      return `<line x1="${f2(x)}" y1="${f2(y)}" x2="${f2(x + rng.range(-2, 2) * s)}" y2="${f2(y + rng.range(-2, 2) * s)}" stroke="${fill}" stroke-width="${f2(rng.range(1, 6))}" opacity="${op}"/>`;
    case 4: {
      const pts = Array.from({ length: rng.int(3, 6) }, () => `${f2(x + rng.range(-s, s))},${f2(y + rng.range(-s, s))}`);
      return `<polyline points="${pts.join(' ')}" fill="none" stroke="${fill}" stroke-width="${f2(rng.range(1, 5))}" opacity="${op}"/>`;
    }
    default:
      return `<polygon points="0,${f2(-s / 2)} ${f2(s / 2.5)},${f2(s / 2)} ${f2(-s / 2.5)},${f2(s / 2)}" fill="${fill}" opacity="${op}" transform="translate(${f2(x)} ${f2(y)}) rotate(${rot})"/>`;
  }
}

/** A cat face in unit coordinates: head radius ~1, ears up to y ≈ -1.6, whiskers to |x| ≈ 1.4. */
function catFace(rng: DemoRng, fur: Rgb): string {
  const dark = css(shade(fur, -0.45));
  const inner = css(hsl(rng.range(330, 360), rng.range(0.4, 0.8), rng.range(0.65, 0.85)));
  const earH = rng.range(1.35, 1.7);
  const earSpread = rng.range(0.75, 0.95);
  const ear = (sx: number): string => {
    const p = [
      [sx * (earSpread + 0.1), -0.25],
      [sx * (earSpread - 0.05), -earH],
      [sx * 0.2, -0.8],
    ];
    const q = [
      [sx * (earSpread - 0.02), -0.45],
      [sx * (earSpread - 0.08), -earH + 0.3],
      [sx * 0.35, -0.8],
    ];
    const pts = (a: number[][]): string => a.map((v) => `${f2(v[0]!)},${f2(v[1]!)}`).join(' ');
    return (
      `<polygon points="${pts(p)}" fill="${css(fur)}" stroke="${dark}" stroke-width="0.04"/>` +
      `<polygon points="${pts(q)}" fill="${inner}"/>`
    );
  };
  const iris = css(hsl(rng.range(45, 110), rng.range(0.6, 1), rng.range(0.4, 0.6)));
  const eyeX = rng.range(0.33, 0.42);
  const eyeY = rng.range(-0.2, -0.05);
  const eye = (sx: number): string =>
    `<ellipse cx="${f2(sx * eyeX)}" cy="${f2(eyeY)}" rx="0.19" ry="0.14" fill="${iris}" stroke="${dark}" stroke-width="0.03"/>` +
    `<ellipse cx="${f2(sx * eyeX)}" cy="${f2(eyeY)}" rx="0.04" ry="0.13" fill="#111"/>`;
  const whiskerColor = rng.chance(0.5) ? '#f4f4f4' : '#202020';
  let whiskers = '';
  for (const sx of [-1, 1]) {
    for (const dy of [-0.1, 0.05, 0.2]) {
      whiskers += `<line x1="${f2(sx * 0.22)}" y1="${f2(0.3 + dy / 3)}" x2="${f2(sx * rng.range(1.2, 1.45))}" y2="${f2(0.3 + dy * 2.2)}" stroke="${whiskerColor}" stroke-width="0.03"/>`;
    }
  }
  return (
    ear(-1) +
    ear(1) +
    `<ellipse cx="0" cy="0.05" rx="${f2(rng.range(0.92, 1.05))}" ry="${f2(rng.range(0.8, 0.9))}" fill="${css(fur)}" stroke="${dark}" stroke-width="0.04"/>` +
    eye(-1) +
    eye(1) +
    `<polygon points="-0.1,0.17 0.1,0.17 0,0.29" fill="${inner}" stroke="${dark}" stroke-width="0.02"/>` +
    `<path d="M0,0.29 Q-0.08,0.42 -0.2,0.36 M0,0.29 Q0.08,0.42 0.2,0.36" fill="none" stroke="${dark}" stroke-width="0.035"/>` +
    whiskers
  );
}

/** A dog face in unit coordinates: long floppy ears down the sides, round nose, tongue. */
function dogFace(rng: DemoRng, fur: Rgb): string {
  const earColor = css(rng.chance(0.7) ? shade(fur, -rng.range(0.25, 0.6)) : furColor(rng));
  const dark = css(shade(fur, -0.45));
  const muzzle = css(shade(fur, rng.range(0.25, 0.6)));
  const earLen = rng.range(0.75, 0.95);
  const earTilt = rng.range(8, 22);
  const ear = (sx: number): string =>
    `<ellipse cx="0" cy="${f2(earLen * 0.8)}" rx="0.3" ry="${f2(earLen)}" fill="${earColor}" stroke="${dark}" stroke-width="0.03" transform="translate(${f2(sx * 0.8)} -0.55) rotate(${f2(sx * earTilt)})"/>`;
  const eyeX = rng.range(0.3, 0.4);
  const eyeY = rng.range(-0.25, -0.1);
  const eye = (sx: number): string =>
    `<circle cx="${f2(sx * eyeX)}" cy="${f2(eyeY)}" r="0.14" fill="#f6f3ea"/>` +
    `<circle cx="${f2(sx * eyeX)}" cy="${f2(eyeY + 0.01)}" r="0.09" fill="#2a1a0e"/>`;
  const tongue = css(hsl(rng.range(345, 365), rng.range(0.6, 0.85), rng.range(0.55, 0.7)));
  const tongueLen = rng.range(0.18, 0.3);
  return (
    `<ellipse cx="0" cy="0" rx="${f2(rng.range(0.82, 0.92))}" ry="${f2(rng.range(0.88, 1.0))}" fill="${css(fur)}" stroke="${dark}" stroke-width="0.04"/>` +
    ear(-1) +
    ear(1) +
    `<ellipse cx="0" cy="${f2(0.72 + tongueLen / 2)}" rx="0.15" ry="${f2(tongueLen)}" fill="${tongue}" stroke="${css(shade(hsl(355, 0.7, 0.5), -0.3))}" stroke-width="0.02"/>` +
    `<ellipse cx="0" cy="0.45" rx="${f2(rng.range(0.42, 0.52))}" ry="0.35" fill="${muzzle}"/>` +
    eye(-1) +
    eye(1) +
    `<ellipse cx="0" cy="0.3" rx="${f2(rng.range(0.17, 0.22))}" ry="0.14" fill="#141414"/>` +
    `<path d="M0,0.44 L0,0.58 M-0.2,0.64 Q0,0.78 0.2,0.64" fill="none" stroke="#141414" stroke-width="0.035"/>`
  );
}

/** One image before encoding: a raw RGB background and an SVG drawn over it. */
export interface Scene {
  width: number;
  height: number;
  quality: number;
  raw: Buffer;
  svg: string;
}

/** Everything random about one image, drawn from the image's own PRNG. */
export function scene(opts: { seed: number; minSize: number; maxSize: number }, cls: 0 | 1, index: number): Scene {
  const rng = new DemoRng(opts.seed, cls, index);
  // Size: long side in [minSize, maxSize] (1 in 25: up to 1.8 × maxSize), aspect 0.55–1.
  const large = rng.chance(0.04);
  const long = large ? rng.int(opts.maxSize, Math.round(opts.maxSize * 1.8)) : rng.int(opts.minSize, opts.maxSize);
  const aspect = rng.range(0.55, 1);
  const short = Math.min(long, Math.max(opts.minSize, Math.round(long * aspect)));
  const landscape = rng.chance(0.65);
  const width = landscape ? long : short;
  const height = landscape ? short : long;
  const quality = rng.int(55, 95);
  const m = Math.min(width, height);
  const raw = background(rng, width, height);

  let back = '';
  for (let i = rng.int(2, 8); i > 0; i--) back += distractor(rng, width, height, m);
  // Face: fill 35–70% of the shorter side. A cat's drawing spans about 3 units (ears, whiskers), a
  // dog's about 2.3, so both appear the same size on average (size is no class cue).
  const fill = rng.range(0.35, 0.7);
  const scale = (fill * m) / (cls === 0 ? 3 : 2.3);
  const rot = rng.range(-35, 35);
  const stretch = rng.range(0.88, 1.12);
  const reach = 1.2 * scale; // keep most of the face inside the frame
  const cx = rng.range(Math.min(reach, width / 2), Math.max(width - reach, width / 2));
  const cy = rng.range(Math.min(reach, height / 2), Math.max(height - reach, height / 2));
  const fur = furColor(rng);
  const face = cls === 0 ? catFace(rng, fur) : dogFace(rng, fur);
  let front = '';
  if (rng.chance(0.3)) front = distractor(rng, width, height, m * 0.5);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    back +
    `<g transform="translate(${f2(cx)} ${f2(cy)}) rotate(${f2(rot)}) scale(${f2(scale * stretch)} ${f2(scale / stretch)})">${face}</g>` +
    front +
    '</svg>';
  return { width, height, quality, raw, svg };
}

/** The scene as a sharp pipeline, ready for any output format. */
export function composite(s: Scene): Sharp {
  return sharp(s.raw, { raw: { width: s.width, height: s.height, channels: 3 } }).composite([
    { input: Buffer.from(s.svg), top: 0, left: 0 },
  ]);
}

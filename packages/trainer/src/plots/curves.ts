import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '../fs/write_atomic.js';

/** One epoch as metrics.jsonl logs it (the fields the curves use). */
export interface MetricsRecord {
  phase: string;
  epoch: number;
  epochs?: number;
  loss?: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
  [key: string]: unknown;
}

/** A point of a curve: one metric of one series at one epoch of the whole run. */
export interface CurvePoint {
  /** 1-based epoch over all phases together. */
  epoch: number;
  phase: string;
  metric: 'loss' | 'accuracy';
  series: 'train' | 'validation';
  value: number;
}

/** Where a phase begins on the run's epoch axis (halfway between its first epoch and the one before). */
export interface PhaseBoundary {
  x: number;
  phase: string;
}

export interface CurvesData {
  points: CurvePoint[];
  boundaries: PhaseBoundary[];
  epochs: number;
  phases: string[];
}

/** Reads metrics.jsonl: one JSON object per line; blank lines and lines without phase/epoch are passed over. */
export async function readMetrics(file: string): Promise<MetricsRecord[]> {
  const text = await fs.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new Error(`${file}: cannot read the metrics log (${e.code ?? e.message}); it is written by \`xfer train\` after each epoch`);
  });
  const out: MetricsRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new Error(`${file}:${i + 1}: not a JSON line (${(e as Error).message}); remove or fix that line`);
    }
    const r = value as Partial<MetricsRecord> | null;
    if (r && typeof r === 'object' && typeof r.phase === 'string' && typeof r.epoch === 'number') out.push(r as MetricsRecord);
  });
  return out;
}

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/**
 * Lays the epochs of every phase end to end on one axis. An epoch logged again (a resumed run)
 * replaces the earlier record in place.
 */
export function curvesData(records: readonly MetricsRecord[]): CurvesData {
  const byKey = new Map<string, MetricsRecord>();
  for (const r of records) byKey.set(`${r.phase}\u0000${r.epoch}`, r);
  const ordered = [...byKey.values()];
  const points: CurvePoint[] = [];
  const boundaries: PhaseBoundary[] = [];
  const phases: string[] = [];
  ordered.forEach((r, i) => {
    const epoch = i + 1;
    if (phases[phases.length - 1] !== r.phase) {
      if (phases.length > 0) boundaries.push({ x: epoch - 0.5, phase: r.phase });
      phases.push(r.phase);
    }
    const add = (metric: CurvePoint['metric'], series: CurvePoint['series'], value: unknown) => {
      if (finite(value)) points.push({ epoch, phase: r.phase, metric, series, value });
    };
    add('loss', 'train', r.loss);
    add('loss', 'validation', r.valLoss);
    add('accuracy', 'train', r.accuracy);
    add('accuracy', 'validation', r.valAccuracy);
  });
  return { points, boundaries, epochs: ordered.length, phases };
}

/**
 * The vega-lite spec of the curves: loss and accuracy side by side, train and validation, each
 * phase start marked with a dashed rule and the phase's name above the plot.
 */
export function curvesSpec(d: CurvesData, options: { title?: string } = {}): TopLevelSpec {
  const domain = [0.5, d.epochs + 0.5];
  const panel = (metric: CurvePoint['metric']) => ({
    width: 360,
    height: 240,
    layer: [
      {
        data: { values: d.points.filter((p) => p.metric === metric) },
        mark: { type: 'line' as const, point: true },
        encoding: {
          x: { field: 'epoch', type: 'quantitative' as const, title: 'epoch', scale: { domain, nice: false }, axis: { tickMinStep: 1, format: 'd' } },
          y: {
            field: 'value',
            type: 'quantitative' as const,
            title: metric,
            scale: metric === 'accuracy' ? { domain: [0, 1] } : { zero: true },
          },
          color: { field: 'series', type: 'nominal' as const, title: null, scale: { domain: ['train', 'validation'], range: ['#1f77b4', '#ff7f0e'] } },
        },
      },
      {
        data: { values: d.boundaries },
        mark: { type: 'rule' as const, color: '#666', strokeDash: [4, 4] },
        encoding: { x: { field: 'x', type: 'quantitative' as const } },
      },
      {
        data: { values: d.boundaries },
        mark: { type: 'text' as const, align: 'left' as const, baseline: 'bottom' as const, dx: 3, y: -4, color: '#444', fontSize: 11 },
        encoding: { x: { field: 'x', type: 'quantitative' as const }, text: { field: 'phase' } },
      },
    ],
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title ? { title: options.title } : {}),
    background: 'white',
    config: { font: 'DejaVu Sans, Liberation Sans, Arial, sans-serif' },
    hconcat: [panel('loss'), panel('accuracy')],
  } as TopLevelSpec;
}

/** Renders a vega-lite spec headless (vega's SVG renderer, no canvas) to PNG bytes through sharp. */
export async function renderVegaLitePng(spec: TopLevelSpec, scale = 2): Promise<{ png: Buffer; width: number; height: number; channels: number }> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG(scale);
    const { data, info } = await sharp(Buffer.from(svg)).png().toBuffer({ resolveWithObject: true });
    return { png: data, width: info.width, height: info.height, channels: info.channels };
  } finally {
    view.finalize();
  }
}

export interface RenderedCurves {
  png: string;
  width: number;
  height: number;
  epochs: number;
  phases: string[];
}

/**
 * Reads a run's metrics.jsonl and writes loss and accuracy per epoch (train and validation, all
 * phases on one epoch axis, each phase start marked) as a PNG: vega-lite → vega View → SVG → sharp.
 */
export async function renderCurves(metricsJsonlPath: string, outPng: string): Promise<RenderedCurves> {
  const records = await readMetrics(metricsJsonlPath);
  const d = curvesData(records);
  if (d.epochs === 0) throw new Error(`${metricsJsonlPath}: no epoch logged yet; plot after the first epoch has finished`);
  const title = `training curves: ${path.basename(path.dirname(path.resolve(metricsJsonlPath)))}`;
  const r = await renderVegaLitePng(curvesSpec(d, { title }));
  const png = path.resolve(outPng);
  await fs.mkdir(path.dirname(png), { recursive: true });
  await writeFileAtomic(png, r.png);
  return { png, width: r.width, height: r.height, epochs: d.epochs, phases: d.phases };
}

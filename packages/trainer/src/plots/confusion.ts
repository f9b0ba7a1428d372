import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '../fs/write_atomic.js';
import { renderVegaLitePng } from './curves.js';

/** One cell of a confusion matrix, as the picture draws it. */
interface Cell {
  actual: string;
  predicted: string;
  count: number;
  /** Share of the actual class's examples (the row), which the colour shows. */
  share: number;
}

/** The cells of a confusion matrix (rows actual, columns predicted), each with its row share. */
export function confusionCells(classNames: readonly string[], confusion: readonly (readonly number[])[]): Cell[] {
  return confusion.flatMap((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((count, j) => ({ actual: classNames[i]!, predicted: classNames[j]!, count, share: total > 0 ? count / total : 0 }));
  });
}

/** A heat map of the matrix, coloured by row share and labelled with the counts. */
export function confusionSpec(classNames: readonly string[], confusion: readonly (readonly number[])[], title: string): TopLevelSpec {
  const side = Math.max(160, Math.min(720, 36 * classNames.length));
  const axis = (field: 'actual' | 'predicted') => ({ field, type: 'ordinal' as const, sort: [...classNames], title: field });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: side,
    height: side,
    data: { values: confusionCells(classNames, confusion) },
    encoding: { x: axis('predicted'), y: axis('actual') },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'share', type: 'quantitative', scale: { domain: [0, 1], scheme: 'blues' }, title: 'share of row' } } },
      {
        mark: { type: 'text', fontSize: classNames.length > 20 ? 7 : 11 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: 'black' },
        },
      },
    ],
  };
}

/** Writes the test split's confusion matrix as a PNG (the run's confusion.png), and returns it for TensorBoard. */
export async function renderConfusion(
  classNames: readonly string[],
  confusion: readonly (readonly number[])[],
  outPng: string,
  title: string,
): Promise<{ png: Buffer; width: number; height: number; channels: number }> {
  const r = await renderVegaLitePng(confusionSpec(classNames, confusion, title));
  const png = path.resolve(outPng);
  await fs.mkdir(path.dirname(png), { recursive: true });
  await writeFileAtomic(png, r.png);
  return r;
}

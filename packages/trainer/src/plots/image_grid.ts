import sharp from 'sharp';

/** One picture of a grid: packed RGB pixels (as the native decoder returns them) and a title. */
export interface GridTile {
  pixels: Uint8Array;
  width: number;
  height: number;
  title: string;
}

export interface GridLayout {
  columns: number;
  /** Height of the title band above each tile, in pixels (default 28). */
  titleHeight?: number;
  /** Space around and between the cells, in pixels (default 10). */
  padding?: number;
  /** Title font size in pixels (default 18). */
  fontSize?: number;
}

/** Where a tile was drawn: its top-left corner in the grid image. */
export interface TilePlacement {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface RenderedGrid {
  png: Buffer;
  width: number;
  height: number;
  placements: TilePlacement[];
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

/**
 * Draws tiles in a grid, each under its title, as matplotlib's subplots with plt.title do. The
 * tiles' pixels are copied unchanged into the image (no resampling); the titles are SVG text
 * rasterized by sharp. Every tile must have the size of the first.
 */
export async function renderImageGrid(tiles: readonly GridTile[], layout: GridLayout): Promise<RenderedGrid> {
  if (tiles.length === 0) throw new Error('renderImageGrid: no tiles to draw');
  const { width: tw, height: th } = tiles[0]!;
  for (const t of tiles) {
    if (t.width !== tw || t.height !== th) throw new Error(`renderImageGrid: tiles differ in size (${t.width}x${t.height} vs ${tw}x${th})`);
    if (t.pixels.length !== t.width * t.height * 3) throw new Error(`renderImageGrid: tile "${t.title}" has ${t.pixels.length} bytes, expected ${t.width * t.height * 3} (RGB)`);
  }
  const columns = Math.max(1, Math.min(layout.columns, tiles.length));
  const rows = Math.ceil(tiles.length / columns);
  const titleHeight = layout.titleHeight ?? 28;
  const padding = layout.padding ?? 10;
  const fontSize = layout.fontSize ?? 18;
  const width = columns * tw + (columns + 1) * padding;
  const height = rows * (th + titleHeight) + (rows + 1) * padding;
  const placements: TilePlacement[] = tiles.map((_, i) => ({
    x: padding + (i % columns) * (tw + padding),
    y: padding + Math.floor(i / columns) * (th + titleHeight + padding) + titleHeight,
    width: tw,
    height: th,
  }));
  const titles = tiles
    .map((t, i) => {
      const p = placements[i]!;
      return `<text x="${p.x + tw / 2}" y="${p.y - Math.round(titleHeight * 0.3)}" text-anchor="middle">${escapeXml(t.title)}</text>`;
    })
    .join('');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<g font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif" font-size="${fontSize}" fill="#222">${titles}</g></svg>`;
  const composed = await sharp({ create: { width, height, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .composite([
      ...tiles.map((t, i) => ({
        input: Buffer.from(t.pixels.buffer, t.pixels.byteOffset, t.pixels.byteLength),
        raw: { width: tw, height: th, channels: 3 as const },
        left: placements[i]!.x,
        top: placements[i]!.y,
      })),
      { input: Buffer.from(svg), left: 0, top: 0 },
    ])
    .raw()
    .toBuffer({ resolveWithObject: true });
  // Compositing the SVG adds an alpha channel; the grid is opaque RGB.
  const { width: cw, height: ch, channels } = composed.info;
  const png = await sharp(composed.data, { raw: { width: cw, height: ch, channels } }).removeAlpha().png().toBuffer();
  return { png, width, height, placements };
}

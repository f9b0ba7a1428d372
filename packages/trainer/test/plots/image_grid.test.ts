import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { renderImageGrid, type GridTile } from '../../src/plots/image_grid.js';
import { sidecarPath } from '../../src/plots/preview.js';

function tile(i: number, size = 20): GridTile {
  const pixels = new Uint8Array(size * size * 3);
  // A pattern unique to each tile, so that a shifted or resampled copy would not match.
  for (let k = 0; k < pixels.length; k++) pixels[k] = (k * 7 + i * 31) % 251;
  return { pixels, width: size, height: size, title: `t<${i}>` };
}

describe('renderImageGrid', () => {
  it('copies each tile unchanged into its cell and writes its title above it', async () => {
    const tiles = Array.from({ length: 9 }, (_, i) => tile(i));
    const g = await renderImageGrid(tiles, { columns: 3, titleHeight: 20, padding: 5 });
    expect([g.width, g.height]).toEqual([3 * 20 + 4 * 5, 3 * (20 + 20) + 4 * 5]);
    const { data, info } = await sharp(g.png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([g.width, g.height, 3]);
    g.placements.forEach((p, i) => {
      expect(p).toMatchObject({ x: 5 + (i % 3) * 25, y: 5 + Math.floor(i / 3) * 45 + 20 });
      for (let y = 0; y < 20; y++) {
        const row = data.subarray(((p.y + y) * g.width + p.x) * 3, ((p.y + y) * g.width + p.x + 20) * 3);
        expect(Buffer.compare(row, Buffer.from(tiles[i]!.pixels.subarray(y * 60, (y + 1) * 60)))).toBe(0);
      }
      // Some dark text pixels in the title band above the tile.
      let ink = 0;
      for (let y = p.y - 20; y < p.y; y++) for (let x = p.x; x < p.x + 20; x++) if (data[(y * g.width + x) * 3]! < 128) ink++;
      expect(ink).toBeGreaterThan(3);
    });
  });

  it('refuses tiles of different sizes or with the wrong byte count', async () => {
    await expect(renderImageGrid([tile(0, 20), tile(1, 10)], { columns: 2 })).rejects.toThrow(/tiles differ in size/);
    await expect(renderImageGrid([{ ...tile(0), pixels: new Uint8Array(5) }], { columns: 1 })).rejects.toThrow(/has 5 bytes/);
  });

  it('puts the sidecar next to the PNG', () => {
    expect(sidecarPath('/a/preview.png')).toBe('/a/preview.json');
    expect(sidecarPath('/a/grid.PNG')).toBe('/a/grid.json');
    expect(sidecarPath('/a/grid')).toBe('/a/grid.json');
  });
});

import type { RandomAugment } from '@xfer/native-preproc';
import type { Example } from '../datasets/example.js';
import { renderImageGrid } from '../plots/image_grid.js';
import { augmentationTiles, sampleTiles, type PreviewTile } from '../plots/preview.js';
import type { TensorBoardLogger } from './callback.js';
import type { Picture } from './event_file.js';

/**
 * The recipe's first two figures, the grids `xfer preview` and `xfer preview --augment` draw, as
 * images in train/ at step 0, where Keras users put theirs: `samples`, the training split's first
 * 9 images under their class names, and `augmentation`, what training epochs 1-9 draw for the
 * first of them with the run's seed and augmentation.
 */
export async function logFigures(
  tensorboard: TensorBoardLogger,
  examples: readonly Example[],
  classNames: string[],
  options: { size: [number, number]; threads?: number; seed: number; augment: RandomAugment },
): Promise<void> {
  const samples = await sampleTiles(examples, classNames, options);
  if (samples.tiles.length === 0) return;
  const augmentation = await augmentationTiles(examples, classNames, options);
  await tensorboard.trainImages(0, { samples: await grid(samples.tiles), augmentation: await grid(augmentation.tiles) });
}

async function grid(tiles: readonly PreviewTile[]): Promise<Picture> {
  const { png, width, height } = await renderImageGrid(tiles, { columns: 3 });
  // The grid is opaque RGB.
  return { png, width, height, channels: 3 };
}

import type { Example } from '../datasets/example.js';
import { renderImageGrid } from '../plots/image_grid.js';
import { sampleTiles } from '../plots/preview.js';
import type { TensorBoardLogger } from './callback.js';

/**
 * The recipe's first figure (`xfer preview`'s grid: the training split's first 9 images under
 * their class names) as the image `samples` in train/ at step 0, where Keras users put theirs.
 */
export async function logSamples(
  tensorboard: TensorBoardLogger,
  examples: readonly Example[],
  classNames: string[],
  options: { size: [number, number]; threads?: number },
): Promise<void> {
  const { tiles } = await sampleTiles(examples, classNames, options);
  if (tiles.length === 0) return;
  const grid = await renderImageGrid(tiles, { columns: 3 });
  // The grid is opaque RGB.
  await tensorboard.trainImages(0, { samples: { png: grid.png, width: grid.width, height: grid.height, channels: 3 } });
}

import { Command } from 'commander';
import { previewAugmentations, previewSamples, writePreview, type PreviewSamples, type PreviewTile } from '@xfer/trainer';
import { positiveInt } from './train.js';
import type { Io } from './common.js';

interface PreviewFlags {
  data: string;
  split?: string;
  out: string;
  imageSize: number;
  seed: number;
  demoPerClass: number;
  threads?: number;
  json?: boolean;
  augment?: boolean;
  rotation: number;
}

/** What a preview shows, before it is drawn: titled tiles, and what the sidecar should say about them. */
interface PreviewContent {
  tiles: PreviewTile[];
  extra: Record<string, unknown>;
  warnings: string[];
}

function previewOptions(o: PreviewFlags, io: Io) {
  return {
    data: o.data,
    split: o.split,
    size: [o.imageSize, o.imageSize] as [number, number],
    count: 9,
    demo: { perClass: o.demoPerClass },
    seed: o.seed,
    threads: o.threads,
    onInfo: o.json ? undefined : (line: string) => io.err.write(`${line}\n`),
  };
}

function content(s: PreviewSamples, extra: Record<string, unknown>): PreviewContent {
  return {
    tiles: s.tiles,
    extra: { ...extra, location: s.location, classNames: s.classNames, failures: s.failures },
    warnings: s.failures.map((f) => `skipped ${f.source}: ${f.reason}`),
  };
}

/** The recipe's first figure: the first 9 examples of the split, titled with their class names. */
async function samplesContent(o: PreviewFlags, io: Io): Promise<PreviewContent> {
  const s = await previewSamples(previewOptions(o, io));
  return content(s, { mode: 'samples', data: o.data, split: s.split });
}

/**
 * The recipe's second figure: what training epochs 1..9 draw (Keras RandomFlip("horizontal") +
 * RandomRotation(factor)) for the split's first image, through the training Loader's own seed.
 */
async function augmentContent(o: PreviewFlags, io: Io): Promise<PreviewContent> {
  const s = await previewAugmentations({ ...previewOptions(o, io), augment: { flip: 'horizontal', rotation: o.rotation } });
  return content(s, { mode: 'augment', data: o.data, split: s.split, rotation: o.rotation, source: s.tiles[0]!.source });
}

export function previewCommand(io: Io): Command {
  return new Command('preview')
    .description('draw the first 9 examples of a split in a 3x3 grid, titled with their classes, as the native decoder outputs them')
    .option('--data <source>', 'demo, cats_vs_dogs, a .zip, or a folder', 'demo')
    .option('--split <split>', 'TFDS split string (default: the training split, train[:80%]; cats_vs_dogs train[:40%])')
    .option('--out <file>', 'the PNG to write; a JSON sidecar listing each tile goes next to it', 'preview.png')
    .option('--image-size <px>', 'square tile size, as xfer train --image-size', positiveInt('--image-size'), 150)
    .option('--seed <n>', 'as xfer train --seed: the order of a folder-per-class dataset, and the augmentation draws', positiveInt('--seed'), 1337)
    .option('--demo-per-class <n>', 'images per class in the demo set, as xfer train', positiveInt('--demo-per-class'), 600)
    .option('--threads <n>', 'native decode threads (default: all cores)', positiveInt('--threads'))
    .option('--augment', "what training epochs 1-9 draw for the split's first image instead (the recipe's second figure)")
    .option('--rotation <factor>', 'RandomRotation factor for --augment, as xfer train', Number, 0.1)
    .option('--json', 'print the sidecar JSON instead of a summary')
    .addHelpText(
      'after',
      `
Examples:
  xfer preview                                        the demo's first 9 training images -> preview.png
  xfer preview --data cats_vs_dogs --out cats.png     preview.json beside it names each tile
  xfer preview --augment --out augment.png            9 random flips and rotations of one image
  xfer preview --data ~/photos --split "train[80%:]" --image-size 224
`,
    )
    .action(async (o: PreviewFlags) => {
      const content = o.augment ? await augmentContent(o, io) : await samplesContent(o, io);
      for (const w of content.warnings) io.err.write(`warning: ${w}\n`);
      const written = await writePreview(content.tiles, o.out, { columns: 3, extra: content.extra });
      if (o.json) {
        io.out.write(JSON.stringify(written.sidecar, null, 2) + '\n');
        return;
      }
      const s = written.sidecar;
      io.out.write(
        `${s.tiles.length} images of ${o.data} ${String(s['split'])}: ${s.tiles.map((t) => t.title).join(', ')}\n` +
          `wrote ${written.png} (${s.width}x${s.height}) and ${written.json}\n`,
      );
    });
}

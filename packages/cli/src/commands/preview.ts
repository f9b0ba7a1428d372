import { Command } from 'commander';
import { previewSamples, writePreview, type PreviewTile } from '@xfer/trainer';
import { positiveInt } from './train.js';
import { defaultTrainSplit, type Io } from './common.js';

interface PreviewFlags {
  data: string;
  split?: string;
  out: string;
  imageSize: number;
  seed: number;
  demoPerClass: number;
  threads?: number;
  json?: boolean;
}

/** What a preview shows, before it is drawn: titled tiles, and what the sidecar should say about them. */
interface PreviewContent {
  tiles: PreviewTile[];
  extra: Record<string, unknown>;
  warnings: string[];
}

/** The recipe's first figure: the first 9 examples of the split, titled with their class names. */
async function samplesContent(o: PreviewFlags, split: string, io: Io): Promise<PreviewContent> {
  const s = await previewSamples({
    data: o.data,
    split,
    size: [o.imageSize, o.imageSize],
    count: 9,
    demo: { perClass: o.demoPerClass },
    seed: o.seed,
    threads: o.threads,
    onInfo: o.json ? undefined : (line) => io.err.write(`${line}\n`),
  });
  return {
    tiles: s.tiles,
    extra: { mode: 'samples', data: o.data, location: s.location, split, classNames: s.classNames, failures: s.failures },
    warnings: s.failures.map((f) => `skipped ${f.source}: ${f.reason}`),
  };
}

// `preview --augment` (9 augmentations of one image through the native augment op) plugs in here:
// a second PreviewContent builder, chosen in the action, drawn by the same writePreview.

export function previewCommand(io: Io): Command {
  return new Command('preview')
    .description('draw the first 9 examples of a split in a 3x3 grid, titled with their classes, as the native decoder outputs them')
    .option('--data <source>', 'demo, cats_vs_dogs, a .zip, or a folder', 'demo')
    .option('--split <split>', 'TFDS split string (default: the training split, train[:40%], demo train[:80%])')
    .option('--out <file>', 'the PNG to write; a JSON sidecar listing each tile goes next to it', 'preview.png')
    .option('--image-size <px>', 'square tile size, as xfer train --image-size', positiveInt('--image-size'), 150)
    .option('--seed <n>', 'order of a folder-per-class dataset, as xfer train --seed', positiveInt('--seed'), 1337)
    .option('--demo-per-class <n>', 'images per class in the demo set, as xfer train', positiveInt('--demo-per-class'), 600)
    .option('--threads <n>', 'native decode threads (default: all cores)', positiveInt('--threads'))
    .option('--json', 'print the sidecar JSON instead of a summary')
    .addHelpText(
      'after',
      `
Examples:
  xfer preview                                        the demo's first 9 training images -> preview.png
  xfer preview --data cats_vs_dogs --out cats.png     preview.json beside it names each tile
  xfer preview --data ~/photos --split "train[80%:]" --image-size 224
`,
    )
    .action(async (o: PreviewFlags) => {
      const split = o.split ?? defaultTrainSplit(o.data);
      const content = await samplesContent(o, split, io);
      for (const w of content.warnings) io.err.write(`warning: ${w}\n`);
      const written = await writePreview(content.tiles, o.out, { columns: 3, extra: content.extra });
      if (o.json) {
        io.out.write(JSON.stringify(written.sidecar, null, 2) + '\n');
        return;
      }
      const s = written.sidecar;
      io.out.write(
        `${s.tiles.length} images of ${o.data} ${split}: ${s.tiles.map((t) => t.title).join(', ')}\n` +
          `wrote ${written.png} (${s.width}x${s.height}) and ${written.json}\n`,
      );
    });
}

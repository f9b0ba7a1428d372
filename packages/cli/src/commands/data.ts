import path from 'node:path';
import { Command } from 'commander';
import { CATS_VS_DOGS, datasetsDir, download, openDataset, sliceSplit, sourceName, type OpenedDataset } from '@xfer/trainer';
import { positiveInt } from './train.js';

type Io = { out: NodeJS.WriteStream; err: NodeJS.WriteStream };

function mib(n: number): string {
  return `${(n / 2 ** 20).toFixed(1)} MiB`;
}

/** A download progress line: redrawn in place on a TTY, one line per 10% elsewhere. */
function downloadProgress(io: Io) {
  const started = Date.now();
  let lastTenth = -1;
  return (received: number, total: number | undefined) => {
    const secs = Math.max((Date.now() - started) / 1000, 1e-3);
    const rate = received / secs;
    const pct = total ? received / total : 0;
    const eta = total && rate > 0 ? Math.round((total - received) / rate) : undefined;
    const text = `${mib(received)}${total ? ` of ${mib(total)} (${(pct * 100).toFixed(1)}%)` : ''} at ${mib(rate)}/s${eta !== undefined ? `, ETA ${eta}s` : ''}`;
    if (io.err.isTTY) io.err.write(`\r\x1b[2K${text}`);
    else if (total && Math.floor(pct * 10) > lastTenth) {
      lastTenth = Math.floor(pct * 10);
      io.err.write(`${text}\n`);
    }
  };
}

function counts(d: OpenedDataset, examples = d.examples): Record<string, number> {
  const c: Record<string, number> = {};
  for (const name of d.classNames) c[name] = 0;
  for (const e of examples) c[d.classNames[e.label]!]!++;
  return c;
}

export function dataCommand(io: Io): Command {
  const data = new Command('data').description('download, inspect and split datasets');

  data
    .command('download')
    .argument('<name>', 'dataset to download: cats_vs_dogs')
    .description("download a dataset into xfer's data folder, resuming a partial download")
    .option('--dir <dir>', 'folder to put it in', datasetsDir())
    .addHelpText('after', '\nExample:\n  xfer data download cats_vs_dogs\n')
    .action(async (name: string, o: { dir: string }) => {
      if (name !== 'cats_vs_dogs') throw new Error(`unknown dataset '${name}': the one xfer can download is cats_vs_dogs`);
      const dest = path.join(o.dir, CATS_VS_DOGS.fileName);
      io.err.write(`downloading ${CATS_VS_DOGS.url}\n  to ${dest}\n`);
      await download(CATS_VS_DOGS.url, dest, { onProgress: downloadProgress(io) });
      io.out.write(`\n${dest}\n`);
    });

  data
    .command('info')
    .argument('<source>', 'demo, cats_vs_dogs, a .zip, or a folder')
    .description('count the examples per class and per split, and list the files the rules skip')
    .option('--split <splits...>', 'split strings to count', ['train[:40%]', 'train[40%:50%]', 'train[50%:60%]'])
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  xfer data info cats_vs_dogs --split "train[:40%]" "train[40%:50%]"\n')
    .action(async (source: string, o: { split: string[]; json?: boolean }) => {
      const d = await openDataset(source);
      const splits = o.split.map((spec) => {
        const part = sliceSplit(d.examples, spec);
        return { split: spec, count: part.length, perClass: counts(d, part) };
      });
      const info = { source: d.location, kind: d.kind, classNames: d.classNames, count: d.examples.length, perClass: counts(d), splits, skipped: d.skipped };
      if (o.json) {
        io.out.write(JSON.stringify(info, null, 2) + '\n');
        return;
      }
      io.out.write(`${info.kind} at ${info.source}\n${info.count} examples: ${Object.entries(info.perClass).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
      for (const s of splits) io.out.write(`  ${s.split.padEnd(18)} ${String(s.count).padStart(6)}  (${Object.entries(s.perClass).map(([k, v]) => `${k} ${v}`).join(', ')})\n`);
      io.out.write(`${d.skipped.length} skipped:\n`);
      for (const s of d.skipped) io.out.write(`  ${s.source}: ${s.reason}\n`);
    });

  data
    .command('split')
    .argument('<source>', 'demo, cats_vs_dogs, a .zip, or a folder')
    .description('print the ordered examples of a split (to compare with TFDS)')
    .requiredOption('--split <split>', 'a split string, e.g. "train[:40%]"')
    .option('--limit <n>', 'print only the first n', positiveInt('--limit'))
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  xfer data split cats_vs_dogs --split "train[40%:50%]" --json\n')
    .action(async (source: string, o: { split: string; limit?: number; json?: boolean }) => {
      const d = await openDataset(source);
      const part = sliceSplit(d.examples, o.split).slice(0, o.limit);
      if (o.json) io.out.write(JSON.stringify(part.map((e) => ({ source: sourceName(e.source), label: e.label, className: d.classNames[e.label] }))) + '\n');
      else for (const e of part) io.out.write(`${d.classNames[e.label]}\t${sourceName(e.source)}\n`);
    });
  return data;
}

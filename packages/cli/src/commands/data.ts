import path from 'node:path';
import { Command } from 'commander';
import {
  CATS_VS_DOGS,
  checkImages,
  datasetsDir,
  defaultSplits,
  download,
  openDataset,
  quarantine,
  quarantineRefusal,
  sliceSplit,
  sourceName,
  type ImageCheck,
  type MovedFile,
  type OpenedDataset,
} from '@xfer/trainer';
import { usageError } from '../exit_codes.js';
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

/** `s` as a shell word, so that a printed command can be pasted back. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./~-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

type CheckReport = ImageCheck & { location: string; kind: OpenedDataset['kind']; moved?: MovedFile[] };

function printCheck(io: Io, r: CheckReport): void {
  io.out.write(`${r.kind} at ${r.location}: ${r.listed} listed, ${r.decoded} decoded, ${r.broken.length} broken\n`);
  if (r.broken.length > 0) {
    const perCode = Object.entries(r.counts).filter(([, n]) => n > 0);
    io.out.write(`broken (${perCode.map(([c, n]) => `${c} ${n}`).join(', ')}):\n`);
    for (const b of r.broken) io.out.write(`  ${b.source}: ${b.reason}\n`);
  }
  io.out.write(`${r.skippedByRules.length} skipped by the dataset's rules${r.skippedByRules.length ? ':' : ''}\n`);
  for (const s of r.skippedByRules) io.out.write(`  ${s.source}: ${s.reason}\n`);
  if (r.moved) {
    io.out.write(`moved ${r.moved.length} file(s):\n`);
    for (const m of r.moved) io.out.write(`  ${m.from} -> ${m.to}\n`);
  }
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
    .option('--split <splits...>', "split strings to count (default: the splits xfer train uses for this source)")
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  xfer data info cats_vs_dogs --split "train[:40%]" "train[40%:50%]"\n')
    .action(async (source: string, o: { split?: string[]; json?: boolean }) => {
      const d = await openDataset(source);
      const specs = o.split ?? Object.values(defaultSplits(d.kind));
      const splits = specs.map((spec) => {
        const part = sliceSplit(d.examples, spec);
        return { split: spec, count: part.length, perClass: counts(d, part) };
      });
      const info = { source: d.location, kind: d.kind, classNames: d.classNames, count: d.examples.length, perClass: counts(d), splits, skipped: d.skipped, decoded: false, check: `xfer data check ${shellWord(source)}` };
      if (o.json) {
        io.out.write(JSON.stringify(info, null, 2) + '\n');
        return;
      }
      io.out.write(`${info.kind} at ${info.source}\n${info.count} examples: ${Object.entries(info.perClass).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
      io.out.write(`${info.count} files listed, none decoded yet: \`${info.check}\` decodes every one and lists the broken\n`);
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

  data
    .command('check')
    .argument('<source>', 'demo, cats_vs_dogs, a .zip, or a folder')
    .description('decode every image with the native engine and list the broken ones, with reasons; exit 1 when any is broken')
    .option('--move-to <dir>', "move the broken files and those the dataset's rules skip under <dir>, at their path relative to the dataset folder (never deletes, never overwrites)")
    .option('--threads <n>', 'native decode threads (default: all cores)', positiveInt('--threads'))
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  xfer data check ~/photos\n  xfer data check ~/photos --move-to ~/photos-quarantine\n')
    .action(async (source: string, o: { moveTo?: string; threads?: number; json?: boolean }) => {
      const refusal = o.moveTo === undefined ? undefined : quarantineRefusal(source, o.moveTo);
      if (refusal) usageError(io.err, 'xfer.moveTo', `--move-to: ${refusal}`);
      const d = await openDataset(source);
      const live = !o.json && io.err.isTTY;
      const check = await checkImages(d, { threads: o.threads, onProgress: live ? (done, total) => io.err.write(`\r\x1b[2Kdecoding ${done}/${total}`) : undefined });
      if (live) io.err.write('\r\x1b[2K');
      const moved = o.moveTo === undefined ? undefined : await quarantine([...check.broken, ...check.skippedByRules], d.location, o.moveTo);
      const report: CheckReport = { location: d.location, kind: d.kind, ...check, ...(moved && { moved }) };
      if (o.json) io.out.write(JSON.stringify(report, null, 2) + '\n');
      else printCheck(io, report);
      if (check.broken.length > 0) {
        const after = moved ? `they were moved under ${path.resolve(o.moveTo!)}` : 'nothing was changed (--move-to <dir> quarantines them)';
        throw new Error(`${check.broken.length} of ${check.listed} images could not be decoded; ${after}`);
      }
    });
  return data;
}

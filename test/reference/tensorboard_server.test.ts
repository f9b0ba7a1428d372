/**
 * A TensorBoard server, started on a loopback port over the logs of a short `xfer train
 * --tensorboard` run, lists the run's folders, scalar tags, pictures and histograms through its
 * HTTP API, and serves the pictures as the very bytes of the run's confusion.png and of the grids
 * `xfer preview` and `xfer preview --augment` draw for the same data.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, promises as fs, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { missing, python, root } from './python.js';

const xfer = path.join(root, 'packages/cli/bin/xfer.js');
const skipReason = missing || (existsSync(xfer) ? '' : `${xfer} is missing (build the CLI: npx tsc -b packages/cli)`);
const suite = python && !skipReason ? describe : describe.skip;

const DATA = ['--demo-per-class', '16', '--image-size', '64'];
const TRAIN = ['train', ...DATA, '--weights', 'none', '--epochs', '2', '--fine-tune-epochs', '1', '--batch-size', '4', '--tensorboard-histogram-freq', '1', '-q'];

/**
 * Starts the venv's TensorBoard on a free loopback port (--port 0) and resolves with its URL,
 * which it prints once it listens. The Python reader (--load_fast=false): the Rust data server
 * is an optional download.
 */
function startTensorBoard(logdir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(python, ['-m', 'tensorboard.main', '--logdir', logdir, '--host', '127.0.0.1', '--port', '0', '--load_fast=false'], {
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', CUDA_VISIBLE_DEVICES: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (d: Buffer) => {
      output += d.toString();
      const url = /https?:\/\/127\.0\.0\.1:\d+\//.exec(output)?.[0];
      if (url) resolve({ url, child });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`tensorboard exited (${code}) before listening:\n${output.slice(-2000)}`)));
  });
}

async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return (await r.json()) as T;
}

/** Polls `get` until `done` holds, or `seconds` pass; then the caller's expectations say what is missing. */
async function until<T>(get: () => Promise<T>, done: (v: T) => boolean, seconds = 60): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const v = await get();
    if (done(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface Tile { source: string; x: number; y: number; width: number; height: number }

/** What `xfer preview` writes for the run's data: the grid PNG, and each tile's place in it from the sidecar. */
async function preview(dir: string, flags: string[]): Promise<{ png: Buffer; tiles: Tile[] }> {
  const out = path.join(dir, `preview${flags.join('')}.png`);
  const { stdout } = await promisify(execFile)(process.execPath, [xfer, 'preview', ...DATA, ...flags, '--out', out, '--json'], { maxBuffer: 16 << 20 });
  return { png: await fs.readFile(out), tiles: (JSON.parse(stdout) as { tiles: Tile[] }).tiles };
}

/** A tile's RGB pixels, cut out of a grid PNG. */
function pixels(png: Buffer, t: Tile): Promise<Buffer> {
  return sharp(png).removeAlpha().extract({ left: t.x, top: t.y, width: t.width, height: t.height }).raw().toBuffer();
}

suite(`TensorBoard server over xfer's logs${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'xfer-tensorboard-server-'));
  let server: ChildProcess | undefined;
  afterAll(() => {
    server?.kill();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('lists the runs, scalar tags, pictures and histograms, and serves the pictures', async () => {
    const runs = path.join(tmp, 'runs');
    await promisify(execFile)(process.execPath, [xfer, ...TRAIN, '--out', runs], { maxBuffer: 16 << 20 });
    const [name] = await fs.readdir(runs);
    const started = await startTensorBoard(runs);
    server = started.child;
    const api = (route: string) => new URL(route, started.url).href;

    const run = (folder: string) => `${name}/logs/${folder}`;
    type Tags = Record<string, Record<string, { samples?: number }>>;
    // TensorBoard loads the logdir in the background after it starts listening, run by run.
    const { listed, scalars, images } = await until(
      async () => ({
        listed: await getJson<string[]>(api('data/runs')),
        scalars: await getJson<Tags>(api('data/plugin/scalars/tags')),
        images: await getJson<Tags>(api('data/plugin/images/tags')),
      }),
      (v) => v.listed.length === 3 && Object.keys(v.scalars[run('validation')] ?? {}).length === 4 && Object.keys(v.images).length === 2,
    );
    expect([...listed].sort()).toEqual([run('test'), run('train'), run('validation')]);
    expect(Object.keys(scalars[run('train')]!).sort()).toEqual(['epoch_accuracy', 'epoch_learning_rate', 'epoch_loss']);
    expect(Object.keys(scalars[run('validation')]!).sort()).toEqual(['epoch_accuracy', 'epoch_loss', 'evaluation_accuracy_vs_iterations', 'evaluation_loss_vs_iterations']);
    const loss = await getJson<[number, number, number][]>(api(`data/plugin/scalars/scalars?run=${encodeURIComponent(run('train'))}&tag=epoch_loss`));
    expect(loss.map(([, step]) => step)).toEqual([0, 1, 2]);

    expect(images).toEqual({
      [run('train')]: { samples: expect.objectContaining({ samples: 1 }), augmentation: expect.objectContaining({ samples: 1 }) },
      [run('test')]: { confusion_matrix: expect.objectContaining({ samples: 1 }) },
    });
    const histograms = await getJson<Tags>(api('data/plugin/histograms/tags'));
    expect(Object.keys(histograms)).toEqual([run('train')]);
    expect(Object.keys(histograms[run('train')]!)).toContain('dense/kernel/histogram');

    /** The PNG TensorBoard serves for a picture, after checking its step. */
    const served = async (folder: string, tag: string, step: number): Promise<Buffer> => {
      const [image] = await getJson<{ step: number; query: string }[]>(api(`data/plugin/images/images?run=${encodeURIComponent(run(folder))}&tag=${tag}&sample=0`));
      expect(image!.step, tag).toBe(step);
      const r = await fetch(api(`data/plugin/images/individualImage?${image!.query}`));
      expect(r.headers.get('content-type'), tag).toBe('image/png');
      return Buffer.from(await r.arrayBuffer());
    };
    expect((await served('test', 'confusion_matrix', 2)).equals(await fs.readFile(path.join(runs, name!, 'confusion.png')))).toBe(true);

    // The grids are xfer preview's, with train's default seed and augmentation (flip, rotation 0.1).
    const samples = await preview(tmp, []);
    const augmented = await preview(tmp, ['--augment']);
    expect((await served('train', 'samples', 0)).equals(samples.png), 'samples').toBe(true);
    expect((await served('train', 'augmentation', 0)).equals(augmented.png), 'augmentation').toBe(true);
    // Augmented: each of the 9 draws of the first sample differs from it as decoded.
    const first = await pixels(samples.png, samples.tiles[0]!);
    expect(augmented.tiles).toHaveLength(9);
    for (const [i, t] of augmented.tiles.entries()) {
      expect(t.source).toBe(samples.tiles[0]!.source);
      expect((await pixels(augmented.png, t)).equals(first), `draw ${i + 1}`).toBe(false);
    }
  });
});

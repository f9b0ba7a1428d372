import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { download } from '../../src/datasets/download.js';

// A loopback server for a generated "archive". It can cut the first transfer off midway, and
// honours Range requests as a real server does.
describe('download with resume and checks, against a loopback server', () => {
  const body = randomBytes(3 << 20);
  const sha256 = createHash('sha256').update(body).digest('hex');
  let server: http.Server;
  let base: string;
  let cutAfter = 0;
  const ranges: string[] = [];
  let dir: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xfer-dl-'));
    server = http.createServer((req, res) => {
      if (req.url === '/redirect') {
        res.writeHead(302, { location: '/archive.zip' });
        res.end();
        return;
      }
      const range = req.headers.range;
      ranges.push(range ?? '');
      let start = 0;
      if (range) {
        start = Number(/bytes=(\d+)-/.exec(range)?.[1]);
        if (start >= body.length) {
          res.writeHead(416);
          res.end();
          return;
        }
        res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
      } else {
        res.writeHead(200, { 'content-length': body.length });
      }
      const slice = body.subarray(start);
      if (cutAfter > 0) {
        const n = cutAfter;
        cutAfter = 0;
        res.write(slice.subarray(0, n), () => res.socket?.destroy());
        return;
      }
      res.end(slice);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('resumes a transfer cut off midway, checks size and hash, and renames only when complete', async () => {
    const dest = path.join(dir, 'a', 'archive.zip');
    cutAfter = 1 << 20;
    await expect(download(`${base}/archive.zip`, dest, { size: body.length, sha256 })).rejects.toThrow(/interrupted after \d+ .*run it again to resume/);
    await expect(fs.stat(dest)).rejects.toThrow();
    const partial = (await fs.stat(`${dest}.part`)).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(body.length);
    const progress: number[] = [];
    await download(`${base}/redirect`, dest, { size: body.length, sha256, onProgress: (n) => progress.push(n) });
    expect(ranges.at(-1)).toBe(`bytes=${partial}-`);
    expect(progress[0]).toBeGreaterThan(partial);
    expect(progress.at(-1)).toBe(body.length);
    expect(createHash('sha256').update(await fs.readFile(dest)).digest('hex')).toBe(sha256);
    await expect(fs.stat(`${dest}.part`)).rejects.toThrow();
  });

  it('refuses a file whose hash does not match, and removes it', async () => {
    const dest = path.join(dir, 'b', 'archive.zip');
    await expect(download(`${base}/archive.zip`, dest, { sha256: '0'.repeat(64) })).rejects.toThrow(/SHA-256 [0-9a-f]{64} does not match .*removed/);
    await expect(fs.stat(dest)).rejects.toThrow();
    await expect(fs.stat(`${dest}.part`)).rejects.toThrow();
  });

  it('says where to put the file by hand when the host cannot be reached', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const dest = path.join(dir, 'c', 'archive.zip');
    await expect(download(`http://127.0.0.1:${port}/archive.zip`, dest)).rejects.toThrow(
      new RegExp(`cannot download .*ECONNREFUSED.*put it at ${dest.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`),
    );
  });
});

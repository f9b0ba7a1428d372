import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';

/** What a download should produce, where known. */
export interface DownloadOptions {
  /** Exact size in bytes. */
  size?: number;
  /** Hex SHA-256 of the whole file. */
  sha256?: string;
  /** Called as bytes arrive: bytes so far (including a resumed part) and the total if known. */
  onProgress?: (received: number, total: number | undefined) => void;
  /** Milliseconds without data before the transfer is given up (default 30 s). */
  idleTimeoutMs?: number;
}

function fetchResponse(url: string, headers: Record<string, string>, timeoutMs: number, redirects = 5): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? https.get : http.get;
    const req = get(url, { headers }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location && redirects > 0) {
        res.resume();
        fetchResponse(new URL(res.headers.location, url).toString(), headers, timeoutMs, redirects - 1).then(resolve, reject);
        return;
      }
      resolve(res);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no response within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

async function sha256Of(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * Downloads `url` to `dest`. Bytes go to `dest.part` first; a `.part` left by an interrupted run
 * is resumed with an HTTP Range request. The size and SHA-256 are checked where known, and only a
 * checked file is renamed to `dest`: a partial or corrupt download is never taken as complete.
 * Offline, the error says where to put the file by hand.
 */
export async function download(url: string, dest: string, options: DownloadOptions = {}): Promise<void> {
  const part = `${dest}.part`;
  await fs.mkdir(path.dirname(dest), { recursive: true });
  const have = (await fs.stat(part).catch(() => null))?.size ?? 0;
  let res: http.IncomingMessage;
  try {
    res = await fetchResponse(url, have > 0 ? { Range: `bytes=${have}-` } : {}, options.idleTimeoutMs ?? 30_000);
  } catch (e) {
    throw new Error(
      `cannot download ${url}: ${(e as Error).message}. If this machine is offline, download the file elsewhere and put it at ${dest}`,
    );
  }
  const status = res.statusCode ?? 0;
  let offset = 0;
  if (status === 206 && have > 0) offset = have;
  else if (status === 416 && have > 0) {
    // The part is already whole (the server has nothing past it): check it below.
    res.resume();
    offset = have;
  } else if (status !== 200) {
    res.resume();
    throw new Error(`cannot download ${url}: HTTP ${status}. Download it by hand and put it at ${dest}`);
  }
  if (status !== 416) {
    const length = Number(res.headers['content-length'] ?? NaN);
    const total = Number.isFinite(length) ? offset + length : options.size;
    let received = offset;
    const out = createWriteStream(part, { flags: offset > 0 ? 'a' : 'w' });
    await new Promise<void>((resolve, reject) => {
      res.setTimeout(options.idleTimeoutMs ?? 30_000, () => res.destroy(new Error('the transfer stalled')));
      res.on('data', (c: Buffer) => {
        received += c.length;
        options.onProgress?.(received, total);
      });
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('the connection was cut')));
      out.on('error', reject);
      out.on('finish', resolve);
      res.pipe(out);
    }).catch((e: Error) => {
      out.destroy();
      throw new Error(`download of ${url} interrupted after ${received} bytes (${e.message}); run it again to resume from ${part}`);
    });
    if (Number.isFinite(length) && received !== offset + length) {
      throw new Error(`download of ${url} interrupted after ${received} of ${offset + length} bytes; run it again to resume from ${part}`);
    }
  }
  const size = (await fs.stat(part)).size;
  if (options.size !== undefined && size !== options.size) {
    if (size > options.size) await fs.rm(part);
    throw new Error(`${url}: got ${size} bytes, expected ${options.size}${size > options.size ? ' (the partial file was removed)' : '; run it again to resume'}`);
  }
  if (options.sha256) {
    const got = await sha256Of(part);
    if (got !== options.sha256.toLowerCase()) {
      await fs.rm(part);
      throw new Error(`${url}: SHA-256 ${got} does not match the expected ${options.sha256}; the file was removed`);
    }
  }
  await fs.rename(part, dest);
}

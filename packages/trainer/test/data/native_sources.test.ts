import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { nativeSources } from '../../src/data/native_sources.js';
import { zipSource } from '../../src/datasets/zip_archive.js';
import { tempDir } from '../helpers.js';

describe('nativeSources', () => {
  it('keeps paths, turns zip entries into byte ranges, and fails a refused entry alone', async () => {
    const dir = tempDir('xfer-ns-');
    const zipPath = path.join(dir, 'a.zip');
    const z = new yazl.ZipFile();
    z.addBuffer(Buffer.from('stored bytes'), 'PetImages/Cat/1.jpg', { compress: false });
    z.addBuffer(Buffer.from('../../etc/passwd'), 'PetImages/Cat/2.jpg', { mode: 0o120777 });
    z.end();
    await new Promise<void>((resolve, reject) => z.outputStream.pipe(createWriteStream(zipPath)).on('close', resolve).on('error', reject));
    const examples = [
      { source: '/data/x.jpg', label: 0 },
      { source: zipSource(zipPath, 'PetImages/Cat/1.jpg'), label: 0 },
      { source: zipSource(zipPath, 'PetImages/Cat/2.jpg'), label: 1 },
    ];
    const r = await nativeSources(examples);
    expect(r.kept).toEqual(examples.slice(0, 2));
    expect(r.sources[0]).toBe('/data/x.jpg');
    const range = r.sources[1] as { path: string; offset: number; length: number; deflated: boolean; size: number; name: string };
    expect(range).toMatchObject({ path: zipPath, length: 12, deflated: false, size: 12, name: examples[1]!.source });
    const bytes = await fs.readFile(zipPath);
    expect(bytes.subarray(range.offset, range.offset + range.length).toString()).toBe('stored bytes');
    expect(r.failures).toEqual([{ source: examples[2]!.source, reason: expect.stringMatching(/^IO: .*refused, the entry is a symbolic link$/) }]);
  });
});

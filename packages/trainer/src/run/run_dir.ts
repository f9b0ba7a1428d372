import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../fs/write_atomic.js';

/** The files a training run leaves behind, all under one directory. */
export class RunDir {
  private constructor(readonly dir: string) {}

  /** Creates `<base>/<UTC timestamp>/`, adding a suffix if that exists already. */
  static async create(base: string, now = new Date()): Promise<RunDir> {
    const stamp = now.toISOString().replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
    await fs.mkdir(base, { recursive: true });
    for (let i = 0; ; i++) {
      const dir = path.join(base, i === 0 ? stamp : `${stamp}-${i}`);
      try {
        await fs.mkdir(dir);
        return new RunDir(path.resolve(dir));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
  }

  /** An existing run directory (to resume it). */
  static open(dir: string): RunDir {
    return new RunDir(path.resolve(dir));
  }

  path(name: string): string {
    return path.join(this.dir, name);
  }

  async writeJson(name: string, value: unknown): Promise<void> {
    await writeFileAtomic(this.path(name), JSON.stringify(value, null, 2) + '\n');
  }

  async writeText(name: string, text: string): Promise<void> {
    await writeFileAtomic(this.path(name), text);
  }

  async appendJsonl(name: string, value: unknown): Promise<void> {
    await fs.appendFile(this.path(name), JSON.stringify(value) + '\n');
  }
}

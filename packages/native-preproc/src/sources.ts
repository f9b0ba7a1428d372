/** Where an image's encoded bytes come from, how such a source is checked, and how errors name it. */
import { describe, integerIn } from './validate.js';

/**
 * A byte range of a file: a zip entry read in place. `deflated` entries are
 * raw DEFLATE (zip method 8) of `length` bytes that inflate to `size` bytes;
 * stored ones (method 0) have `size === length`.
 */
export interface ByteRange {
  path: string;
  offset: number;
  length: number;
  deflated: boolean;
  size: number;
  /** How failures name it (e.g. the zip entry's name); default `path@offset`. */
  name?: string;
}

/** Where an image's encoded bytes come from. */
export type Source = string | Uint8Array | ByteRange;

/** What the addon receives for a byte range: exactly these fields. */
export interface RawByteRange {
  path: string;
  offset: number;
  length: number;
  deflated: boolean;
  size: number;
}

export type RawSource = string | Uint8Array | RawByteRange;

/** Checks one source: a file path, in-memory bytes or a byte range; returns what the addon gets. */
export function validateSource(value: unknown, name: string): RawSource {
  if (typeof value === 'string' || value instanceof Uint8Array) return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'path' in value) {
    const r = value as Record<string, unknown>;
    if (typeof r['path'] !== 'string' || r['path'] === '') {
      throw new TypeError(`${name}.path must be a non-empty file path string, got ${describe(r['path'])}`);
    }
    const offset = integerIn(r['offset'], `${name}.offset`, 0, Number.MAX_SAFE_INTEGER);
    const length = integerIn(r['length'], `${name}.length`, 0, Number.MAX_SAFE_INTEGER);
    const size = integerIn(r['size'], `${name}.size`, 0, Number.MAX_SAFE_INTEGER);
    if (typeof r['deflated'] !== 'boolean') {
      throw new TypeError(`${name}.deflated must be a boolean, got ${describe(r['deflated'])}`);
    }
    if (!r['deflated'] && size !== length) {
      throw new RangeError(`${name}: a stored (not deflated) range must have size === length, got ${size} and ${length}`);
    }
    if (r['name'] !== undefined && typeof r['name'] !== 'string') {
      throw new TypeError(`${name}.name must be a string, got ${describe(r['name'])}`);
    }
    return { path: r['path'], offset, length, deflated: r['deflated'], size };
  }
  throw new TypeError(
    `${name} must be a file path string or a Uint8Array (e.g. a Buffer), or a byte range ` +
      `{ path, offset, length, deflated, size }, got ${describe(value)}`,
  );
}

/** Checks an array of sources; `name` is how errors call it (`sources`, `options.sources`). */
export function validateSources(value: unknown, name: string): RawSource[] {
  if (!Array.isArray(value)) {
    throw new TypeError(`${name} must be an array of file paths, Uint8Arrays and/or byte ranges, got ${describe(value)}`);
  }
  return value.map((s, i) => validateSource(s, `${name}[${i}]`));
}

/** How a source is named in errors: its path, `<buffer #i>`, or a byte range's name (default `path@offset`). */
export function sourceName(source: Source, index?: number): string {
  if (typeof source === 'string') return source;
  if (source instanceof Uint8Array) return index === undefined ? '<buffer>' : `<buffer #${index}>`;
  return source.name ?? `${source.path}@${source.offset}`;
}

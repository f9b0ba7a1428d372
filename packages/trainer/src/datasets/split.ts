/**
 * TFDS split strings ("train[:40%]", "train[40%:50%]+test", ...) parsed and applied to plain lists.
 *
 * The grammar and the arithmetic follow `tensorflow_datasets/core/tfrecords_reader.py`:
 *
 * ```text
 * spec     := part ( ws* '+' ws* part )*
 * part     := name ( '[' bound? ':' bound? ']' )?        at least one bound inside the brackets
 * name     := [A-Za-z0-9_-]+                             'all' = every split, in the given order
 * bound    := '-'? number '%'?                           '%' bounds may be decimals ("0.5%")
 * number   := digit ( '_'? digit )* ( '.' digits )?      "1_000" is 1000, as in Python
 * ```
 *
 * - Percent boundaries round to the closest integer: `boundary = round(pct * N / 100)`, computed in
 *   float64 exactly as TFDS does (`int(round(boundary * num_examples / 100.))`). Python's `round`
 *   breaks exact .5 ties to the even integer (banker's rounding), so this module does too:
 *   50% of 5 items is 2 (2.5 → 2) and 50% of 7 is 4 (3.5 → 4). `Math.round` would give 3 and 4.
 * - Negative bounds count from the end (`train[-10%:]`, `train[:-100]`).
 * - A bound beyond the split (|bound| > N) is an error, as in TFDS. A slice whose start lies after
 *   its end selects nothing.
 * - Parts joined by '+' are concatenated in order; overlaps are kept (TFDS does not dedupe either).
 *
 * Deliberate differences from TFDS, all of them stricter:
 * - TFDS applies '%' to both bounds when only one carries it (`train[10%:20]` reads as 10%..20%);
 *   here mixing units is an error.
 * - Shard slicing (`train[:4shard]`, `train[2shard]`) and the `(pct1_dropremainder)` rounding are not
 *   supported: these lists have no shards, and 'closest' is the TFDS default.
 */
import { SplitSpecError } from '../errors.js';

/** The unit of a part's bounds: absolute item indices or percentages of the split. */
export type SliceUnit = 'abs' | '%';

/** One bound of a slice, with where it was written in the spec (for error messages). */
export interface SplitBound {
  /** The number as written: an index for 'abs', a percentage for '%'. May be negative. */
  value: number;
  /** Offset of the bound's first character in the spec string. */
  at: number;
}

/** One '+'-separated part of a split spec, e.g. `train[40%:50%]`. */
export interface SplitPart {
  /** Split name, e.g. 'train'; 'all' means every split. */
  split: string;
  /** Offset of the split name in the spec string. */
  at: number;
  /** Start bound; null when omitted (start of the split). */
  from: SplitBound | null;
  /** End bound (exclusive); null when omitted (end of the split). */
  to: SplitBound | null;
  /** 'abs' when no bound has '%' (also for a bare split name). */
  unit: SliceUnit;
}

/** A parsed split spec: the original string and its parts in order. */
export interface SplitSpec {
  spec: string;
  parts: SplitPart[];
}

/** A resolved part: items `[from, to)` of split `split` (empty when `from >= to`). */
export interface AbsoluteRange {
  split: string;
  from: number;
  to: number;
}

const NAME_CHAR = /[A-Za-z0-9_-]/;
const DIGIT = /[0-9]/;

/** Recursive-descent parser over the whole spec so every error carries an absolute position. */
class Parser {
  private pos = 0;
  constructor(private readonly s: string) {}

  private fail(detail: string, at = this.pos): never {
    throw new SplitSpecError(this.s, at, detail);
  }

  private peek(): string | undefined {
    return this.s[this.pos];
  }

  private describe(at = this.pos): string {
    const c = this.s[at];
    return c === undefined ? 'end of string' : JSON.stringify(c);
  }

  private skipSpaces(): void {
    while (this.peek() !== undefined && /\s/.test(this.peek()!)) this.pos++;
  }

  parse(): SplitSpec {
    if (this.s.trim() === '') this.fail('empty split spec: expected a split name such as "train"', 0);
    const parts: SplitPart[] = [this.part()];
    for (;;) {
      const before = this.pos;
      this.skipSpaces();
      if (this.peek() === undefined) {
        if (this.pos !== before) this.fail('unexpected trailing whitespace', before);
        break;
      }
      if (this.peek() !== '+') {
        this.fail(`expected "+" or end of string, found ${this.describe()}`);
      }
      this.pos++;
      this.skipSpaces();
      parts.push(this.part());
    }
    return { spec: this.s, parts };
  }

  private part(): SplitPart {
    const at = this.pos;
    while (this.peek() !== undefined && NAME_CHAR.test(this.peek()!)) this.pos++;
    if (this.pos === at) {
      this.fail(`expected a split name (letters, digits, "_" or "-"), found ${this.describe()}`);
    }
    const split = this.s.slice(at, this.pos);
    if (this.peek() !== '[') return { split, at, from: null, to: null, unit: 'abs' };
    const open = this.pos;
    if (split === 'all') this.fail('"all" cannot be sliced (TFDS does not support it either)', open);
    this.pos++;
    const from = this.bound();
    if (this.peek() !== ':') {
      if (this.peek() === ']' && from !== null) {
        this.fail('a single index is not a slice: write [from:to] (e.g. [:10%] or [5:6])');
      }
      this.fail(`expected ":"${from === null ? ' or a number' : ''}, found ${this.describe()}`);
    }
    this.pos++;
    const to = this.bound();
    if (this.peek() !== ']') {
      this.fail(`expected "]"${to === null ? ' or a number' : ''}, found ${this.describe()}`);
    }
    this.pos++;
    if (from === null && to === null) this.fail('empty slice "[:]": give at least one bound', open);
    const pctFrom = from?.pct ?? false;
    const pctTo = to?.pct ?? false;
    if (from !== null && to !== null && pctFrom !== pctTo) {
      const plain = pctFrom ? to : from;
      this.fail(
        'both bounds must use the same unit: add "%" here or remove it from the other bound ' +
          '(TFDS would silently read both as percentages)',
        plain.at,
      );
    }
    const unit: SliceUnit = pctFrom || pctTo ? '%' : 'abs';
    return {
      split,
      at,
      from: from && { value: from.value, at: from.at },
      to: to && { value: to.value, at: to.at },
      unit,
    };
  }

  /** Parses an optional bound; returns null when the next character cannot start one. */
  private bound(): { value: number; at: number; pct: boolean } | null {
    const at = this.pos;
    let sign = 1;
    if (this.peek() === '-') {
      sign = -1;
      this.pos++;
    }
    const numStart = this.pos;
    let digits = '';
    while (this.peek() !== undefined && (DIGIT.test(this.peek()!) || this.peek() === '_')) {
      const c = this.peek()!;
      if (c === '_') {
        const prev = this.s[this.pos - 1];
        const next = this.s[this.pos + 1];
        if (this.pos === numStart || prev === undefined || !DIGIT.test(prev) || next === undefined || !DIGIT.test(next)) {
          this.fail('"_" is only allowed between two digits');
        }
      } else {
        digits += c;
      }
      this.pos++;
    }
    let fraction = '';
    let hasDot = false;
    if (this.peek() === '.') {
      hasDot = true;
      const dotAt = this.pos;
      this.pos++;
      while (this.peek() !== undefined && DIGIT.test(this.peek()!)) fraction += this.s[this.pos++];
      if (digits === '' && fraction === '') this.fail('expected digits around "."', dotAt);
    }
    if (digits === '' && !hasDot) {
      if (sign < 0) this.fail(`expected a number after "-", found ${this.describe()}`);
      return null;
    }
    let pct = false;
    if (this.peek() === '%') {
      pct = true;
      this.pos++;
    } else if (this.s.startsWith('shard', this.pos)) {
      this.fail('shard slicing is not supported here: use % or absolute indices');
    } else if (this.peek() !== undefined && /[A-Za-z]/.test(this.peek()!)) {
      this.fail(`unexpected ${this.describe()} after a number: only "%" may follow it`);
    }
    if (hasDot && !pct) this.fail('absolute indices must be integers (only percentages may have decimals)', at);
    const value = sign * Number(`${digits || '0'}.${fraction || '0'}`);
    if (!Number.isFinite(value)) this.fail('number out of range', at);
    if (!pct && !Number.isSafeInteger(value)) this.fail('index out of range', at);
    if (pct && Math.abs(value) > 100) this.fail('percent bounds must lie in [-100%, 100%]', at);
    return { value: value === 0 ? 0 : value, at, pct };
  }
}

/**
 * Parses a TFDS split string into its parts without looking at any data.
 *
 * @example parseSplit('train[:10%]+train[-10%:]').parts.length === 2
 * @throws {SplitSpecError} with a caret under the offending character.
 */
export function parseSplit(spec: string): SplitSpec {
  if (typeof spec !== 'string') throw new TypeError(`split spec must be a string, got ${typeof spec}`);
  return new Parser(spec).parse();
}

/**
 * Python's `round()` on a float: to the nearest integer, exact .5 ties to the even neighbour.
 * (Every float64 of magnitude below 2^52 has an exactly representable fractional part, so the
 * comparison with 0.5 below is exact.)
 */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * The item index of a percent boundary in a split of `n` items, with TFDS's default 'closest'
 * rounding: `round(pct * n / 100)`, ties to even. E.g. `percentBoundary(40, 23262) === 9305`.
 */
export function percentBoundary(pct: number, n: number): number {
  const r = roundHalfEven((pct * n) / 100);
  return r === 0 ? 0 : r; // no -0
}

/**
 * Resolves a split spec against split sizes into half-open ranges, one per '+' part, in order.
 * `all` expands to every split in the key order of `sizes`.
 *
 * @param sizes number of items per split, e.g. `{ train: 23262 }`.
 * @throws {SplitSpecError} for a bad spec, an unknown split (the message lists the known ones) or
 *   a bound outside the split.
 */
export function resolveSplit(spec: string | SplitSpec, sizes: Readonly<Record<string, number>>): AbsoluteRange[] {
  const parsed = typeof spec === 'string' ? parseSplit(spec) : spec;
  const names = Object.keys(sizes);
  const out: AbsoluteRange[] = [];
  for (const part of parsed.parts) {
    if (part.split === 'all' && !Object.hasOwn(sizes, 'all')) {
      for (const name of names) out.push({ split: name, from: 0, to: sizes[name]! });
      continue;
    }
    if (!Object.hasOwn(sizes, part.split)) {
      const known = names.length ? names.map((n) => JSON.stringify(n)).join(', ') : '(none)';
      throw new SplitSpecError(parsed.spec, part.at, `unknown split ${JSON.stringify(part.split)}; available: ${known}`);
    }
    const n = sizes[part.split]!;
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`split ${part.split} has an invalid size ${n}`);
    const abs = (b: SplitBound | null, dflt: number): number => {
      if (b === null) return dflt;
      const v = part.unit === '%' ? percentBoundary(b.value, n) : b.value;
      if (Math.abs(v) > n) {
        throw new SplitSpecError(
          parsed.spec,
          b.at,
          `bound ${part.unit === '%' ? `${b.value}% (= ${v})` : v} is outside split ${JSON.stringify(part.split)} of ${n} items`,
        );
      }
      return v < 0 ? n + v : v;
    };
    out.push({ split: part.split, from: abs(part.from, 0), to: abs(part.to, n) });
  }
  return out;
}

/**
 * Selects items from several named splits with a TFDS split string.
 *
 * @example selectSplits({ train, test }, 'train[:90%]+test') // first 90% of train, then all of test
 */
export function selectSplits<T>(splits: Readonly<Record<string, readonly T[]>>, spec: string | SplitSpec): T[] {
  const sizes: Record<string, number> = {};
  for (const [name, items] of Object.entries(splits)) sizes[name] = items.length;
  const out: T[] = [];
  for (const r of resolveSplit(spec, sizes)) {
    const items = splits[r.split]!;
    for (let i = r.from; i < r.to; i++) out.push(items[i]!);
  }
  return out;
}

/**
 * Applies a TFDS split string to one list that plays the split `splitName`.
 *
 * @example
 * sliceSplit(examples, 'train[:40%]')       // 9305 of 23262
 * sliceSplit(examples, 'train[40%:50%]')    // 2326
 * sliceSplit(examples, 'train[:10%]+train[-10%:]')
 * @throws {SplitSpecError} e.g. for 'test[:10%]' when splitName is 'train'.
 */
export function sliceSplit<T>(items: readonly T[], spec: string | SplitSpec, splitName = 'train'): T[] {
  return selectSplits({ [splitName]: items }, spec);
}

/**
 * UTF-8 bytes made of one part per key, in a given order, in one or more columns: the
 * rendered `/jobs` items (one column, `,` between parts), or the `/metrics` mirror families
 * (a column per family). Each column's bytes are the only copy of its parts (one allocation,
 * not a string or a Buffer per key): a rebuild renders again only the parts of new or
 * invalidated keys and copies every other part from the last bytes.
 */
export class KeyedBytes {
  private columns: Buffer[];
  /** Each column's end of the part of the key at each index of `index`. */
  private ends: Uint32Array[];
  /** The index of each key in the last build. */
  private index = new Map<string, number>();
  /** The keys of the last build (the same array again: `index` holds). */
  private keys: readonly string[] = [];
  private readonly stale = new Set<string>();
  private readonly sep: Buffer;
  private readonly open: Buffer;
  private readonly close: Buffer;

  /** `count` columns, each `open`, the parts with `separator` between them, then `close`. */
  constructor(
    private readonly count: number,
    separator = '',
    open = '',
    close = '',
  ) {
    this.sep = Buffer.from(separator, 'utf8');
    this.open = Buffer.from(open, 'utf8');
    this.close = Buffer.from(close, 'utf8');
    this.columns = Array.from({ length: count }, () => Buffer.alloc(0));
    this.ends = Array.from({ length: count }, () => new Uint32Array(0));
  }

  /** The parts of `key` are rendered again on the next `build`. */
  invalidate(key: string): void {
    if (this.index.has(key)) this.stale.add(key);
  }

  /**
   * Each column: the parts of `keys` in order, the separator between them; `render(key)`
   * (one string per column, missing ones empty) is called for the keys that are new or invalidated only.
   */
  // `keys` is not changed once given: another order is another array (the same array again
  // keeps the index of the last build).
  build(keys: readonly string[], render: (key: string) => readonly string[]): readonly Buffer[] {
    /** Each key's index in the last build, or -1 for a part rendered now (in `fresh`). */
    const olds = new Int32Array(keys.length);
    const fresh = new Map<number, Buffer[]>();
    const lengths = new Array<number>(this.count).fill(
      this.open.length +
        this.close.length +
        (keys.length > 1 ? this.sep.length * (keys.length - 1) : 0),
    );
    keys.forEach((key, k) => {
      const i = this.index.get(key);
      if (i === undefined || this.stale.has(key)) {
        const texts = render(key);
        const parts = Array.from({ length: this.count }, (_, c) =>
          Buffer.from(texts[c] ?? '', 'utf8'),
        );
        fresh.set(k, parts);
        olds[k] = -1;
        parts.forEach((part, c) => (lengths[c] = (lengths[c] as number) + part.length));
      } else {
        olds[k] = i;
        for (let c = 0; c < this.count; c += 1) {
          lengths[c] = (lengths[c] as number) + this.partEnd(c, i) - this.partStart(c, i);
        }
      }
    });
    const columns = lengths.map((length) => Buffer.allocUnsafe(length));
    const ends = lengths.map(() => new Uint32Array(keys.length));
    for (let c = 0; c < this.count; c += 1) {
      this.buildColumn(c, olds, fresh, columns[c] as Buffer, ends[c] as Uint32Array);
    }
    if (keys !== this.keys) {
      this.index = new Map();
      keys.forEach((key, k) => this.index.set(key, k));
    }
    this.keys = keys;
    this.columns = columns;
    this.ends = ends;
    this.stale.clear();
    return columns;
  }

  /**
   * One column into `out`: the fresh parts, and the kept ones copied from the last bytes
   * (consecutive kept parts, with the separators between them, in one copy).
   */
  private buildColumn(
    c: number,
    olds: Int32Array,
    fresh: Map<number, Buffer[]>,
    out: Buffer,
    end: Uint32Array,
  ): void {
    const old = this.columns[c] as Buffer;
    let at = this.open.copy(out, 0);
    let run: { from: number; to: number; at: number; last: number } | undefined;
    const flush = () => {
      if (run !== undefined) old.copy(out, run.at, run.from, run.to);
      run = undefined;
    };
    for (let k = 0; k < olds.length; k += 1) {
      const i = olds[k] as number;
      if (run !== undefined && i >= 0 && i === run.last + 1) {
        const to = this.partEnd(c, i);
        at += to - run.to;
        run.to = to;
        run.last = i;
      } else {
        flush();
        if (k > 0) at += this.sep.copy(out, at);
        if (i < 0) {
          at += (fresh.get(k)?.[c] as Buffer).copy(out, at);
        } else {
          run = { from: this.partStart(c, i), to: this.partEnd(c, i), at, last: i };
          at += run.to - run.from;
        }
      }
      end[k] = at;
    }
    flush();
    this.close.copy(out, at);
  }

  private partStart(column: number, i: number): number {
    const ends = this.ends[column] as Uint32Array;
    return i === 0 ? this.open.length : (ends[i - 1] as number) + this.sep.length;
  }

  private partEnd(column: number, i: number): number {
    return (this.ends[column] as Uint32Array)[i] as number;
  }
}

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
  build(keys: readonly string[], render: (key: string) => readonly string[]): readonly Buffer[] {
    const fresh = new Map<string, Buffer[]>();
    const lengths = new Array<number>(this.count).fill(
      this.open.length +
        this.close.length +
        (keys.length > 1 ? this.sep.length * (keys.length - 1) : 0),
    );
    for (const key of keys) {
      const i = this.index.get(key);
      if (i === undefined || this.stale.has(key)) {
        const texts = render(key);
        const parts = Array.from({ length: this.count }, (_, c) =>
          Buffer.from(texts[c] ?? '', 'utf8'),
        );
        fresh.set(key, parts);
        parts.forEach((part, c) => (lengths[c] = (lengths[c] as number) + part.length));
      } else {
        for (let c = 0; c < this.count; c += 1) {
          lengths[c] = (lengths[c] as number) + this.partEnd(c, i) - this.partStart(c, i);
        }
      }
    }
    const columns = lengths.map((length) => Buffer.allocUnsafe(length));
    const ends = lengths.map(() => new Uint32Array(keys.length));
    const index = new Map<string, number>();
    for (let c = 0; c < this.count; c += 1) {
      const out = columns[c] as Buffer;
      const end = ends[c] as Uint32Array;
      let at = this.open.copy(out, 0);
      keys.forEach((key, k) => {
        if (k > 0) at += this.sep.copy(out, at);
        const part = fresh.get(key)?.[c];
        if (part !== undefined) {
          at += part.copy(out, at);
        } else {
          const i = this.index.get(key) as number;
          at += (this.columns[c] as Buffer).copy(out, at, this.partStart(c, i), this.partEnd(c, i));
        }
        end[k] = at;
      });
      this.close.copy(out, at);
    }
    keys.forEach((key, k) => index.set(key, k));
    this.columns = columns;
    this.ends = ends;
    this.index = index;
    this.stale.clear();
    return columns;
  }

  private partStart(column: number, i: number): number {
    const ends = this.ends[column] as Uint32Array;
    return i === 0 ? this.open.length : (ends[i - 1] as number) + this.sep.length;
  }

  private partEnd(column: number, i: number): number {
    return (this.ends[column] as Uint32Array)[i] as number;
  }
}

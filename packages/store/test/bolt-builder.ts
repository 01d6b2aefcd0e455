import { fnv1a64 } from '../src/bolt-meta';

/**
 * Writes small bolt files for the reader's tests, for the shapes the Go fixtures do not
 * have: nested buckets, inline buckets, values spanning overflow pages. A bucket is one
 * leaf page (or inline in its parent); the root bucket too. Not a general bbolt writer.
 */
export interface BoltTree {
  [key: string]: string | Buffer | BoltTree | InlineBucket;
}

/** A bucket stored inline in its parent's leaf (bbolt does so for small buckets). */
export class InlineBucket {
  constructor(readonly tree: Record<string, string | Buffer>) {}
}

const HEADER = 16;
const ELEMENT = 16;

interface Entry {
  key: Buffer;
  value: Buffer;
  bucket: boolean;
}

export function buildBolt(root: BoltTree, pageSize = 4096): Buffer {
  const pages = new Map<number, Buffer>();
  let next = 3; // 0 and 1 are the metas, 2 the (empty) freelist

  const leafPage = (id: number, entries: Entry[], pad: boolean): Buffer => {
    const sorted = [...entries].sort((a, b) => Buffer.compare(a.key, b.key));
    const data = Buffer.concat(sorted.flatMap((e) => [e.key, e.value]));
    const length = HEADER + sorted.length * ELEMENT + data.length;
    const span = pad ? Math.ceil(length / pageSize) : 1;
    const page = Buffer.alloc(pad ? span * pageSize : length);
    page.writeBigUInt64LE(BigInt(id), 0);
    page.writeUInt16LE(0x02, 8);
    page.writeUInt16LE(sorted.length, 10);
    page.writeUInt32LE(span - 1, 12);
    let at = HEADER + sorted.length * ELEMENT;
    sorted.forEach((e, i) => {
      const element = HEADER + i * ELEMENT;
      page.writeUInt32LE(e.bucket ? 1 : 0, element);
      page.writeUInt32LE(at - element, element + 4);
      page.writeUInt32LE(e.key.length, element + 8);
      page.writeUInt32LE(e.value.length, element + 12);
      e.key.copy(page, at);
      e.value.copy(page, at + e.key.length);
      at += e.key.length + e.value.length;
    });
    return page;
  };

  const bucketHeader = (rootPage: number) => {
    const header = Buffer.alloc(HEADER);
    header.writeBigUInt64LE(BigInt(rootPage), 0);
    return header;
  };

  const writeBucket = (tree: BoltTree): number => {
    const entries: Entry[] = Object.entries(tree).map(([name, value]) => {
      const key = Buffer.from(name);
      if (typeof value === 'string' || Buffer.isBuffer(value)) {
        return { key, value: Buffer.from(value), bucket: false };
      }
      if (value instanceof InlineBucket) {
        const inner = Object.entries(value.tree).map(([k, v]) => ({
          key: Buffer.from(k),
          value: Buffer.from(v),
          bucket: false,
        }));
        return {
          key,
          value: Buffer.concat([bucketHeader(0), leafPage(0, inner, false)]),
          bucket: true,
        };
      }
      return { key, value: bucketHeader(writeBucket(value)), bucket: true };
    });
    // Children were numbered first; this bucket takes the next free ids.
    const ownId = next;
    const page = leafPage(ownId, entries, true);
    pages.set(ownId, page);
    next = ownId + page.length / pageSize;
    return ownId;
  };

  const rootPage = writeBucket(root);
  const file = Buffer.alloc(next * pageSize);
  for (const [id, page] of pages) page.copy(file, id * pageSize);
  file.writeBigUInt64LE(2n, 2 * pageSize);
  file.writeUInt16LE(0x10, 2 * pageSize + 8);
  for (const metaPage of [0, 1]) {
    const at = metaPage * pageSize;
    file.writeBigUInt64LE(BigInt(metaPage), at);
    file.writeUInt16LE(0x04, at + 8);
    const meta = at + HEADER;
    file.writeUInt32LE(0xed0cdaed, meta);
    file.writeUInt32LE(2, meta + 4);
    file.writeUInt32LE(pageSize, meta + 8);
    file.writeBigUInt64LE(BigInt(rootPage), meta + 16);
    file.writeBigUInt64LE(2n, meta + 32);
    file.writeBigUInt64LE(BigInt(next), meta + 40);
    file.writeBigUInt64LE(BigInt(metaPage + 1), meta + 48);
    file.writeBigUInt64LE(fnv1a64(file.subarray(meta, meta + 56)), meta + 56);
  }
  return file;
}

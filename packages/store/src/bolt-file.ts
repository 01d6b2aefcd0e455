import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { STORE_ERRORS } from './errors';
import { PAGE_HEADER_SIZE, currentMeta, parseMeta } from './bolt-meta';
import type { BoltMeta } from './bolt-meta';
import { decodePage, readPageHeader } from './bolt-page';
import type { LeafElement } from './bolt-page';
import { lockHolders } from './file-locks';

/** A bucket of a bolt file: its plain key/value pairs and its nested buckets. */
export interface BoltBucket {
  /** Every plain key/value pair, in key order (nested buckets are left out). */
  entries(): Generator<[key: Buffer, value: Buffer]>;
  /** The nested bucket `name`, `undefined` when there is none. */
  bucket(name: string): BoltBucket | undefined;
}

/** A bolt file opened read-only; call `close()` when done. */
export interface BoltFile {
  readonly path: string;
  readonly pageSize: number;
  /** The transaction id of the meta page in use. */
  readonly txid: bigint;
  /** The top-level bucket `name`, `undefined` when there is none. */
  bucket(name: string): BoltBucket | undefined;
  close(): void;
}

/** Where a bucket's tree starts: a page of the file, or a page inline in the bucket value. */
type BucketRoot = { page: bigint } | { inline: Buffer; name: string };

const BUCKET_HEADER_SIZE = 16;
/** Enough for a meta page of any page size. */
const META_READ = 4096;

function errnoOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : String(err);
}

class BoltReader implements BoltFile {
  readonly path: string;
  readonly pageSize: number;
  readonly txid: bigint;
  private readonly fd: number;
  private readonly size: number;
  private readonly meta: BoltMeta;
  private closed = false;

  constructor(path: string, fd: number, size: number, meta: BoltMeta) {
    this.path = path;
    this.fd = fd;
    this.size = size;
    this.meta = meta;
    this.pageSize = meta.pageSize;
    this.txid = meta.txid;
  }

  private damaged(detail: string): Error {
    return STORE_ERRORS.boltCorrupt(this.path, detail);
  }

  private read(position: number, length: number): Buffer {
    if (this.closed) throw STORE_ERRORS.closed(this.path);
    const buffer = Buffer.alloc(length);
    try {
      readSync(this.fd, buffer, 0, length, position);
    } catch (err) {
      throw STORE_ERRORS.io.withCause(err, this.path, `read at ${position}`, err);
    }
    return buffer;
  }

  /** The whole page `id` (its overflow pages included), after checking it is in the file. */
  private readPage(id: bigint): Buffer {
    const { pageCount } = this.meta;
    if (id < 2n || id >= pageCount) {
      throw this.damaged(
        `page ${id} is out of range (the database has pages 2 to ${pageCount - 1n})`,
      );
    }
    const offset = Number(id) * this.pageSize;
    if (offset + this.pageSize > this.size) {
      throw this.damaged(
        `page ${id} lies past the end of the file (${this.size} bytes): truncated`,
      );
    }
    const header = readPageHeader(this.read(offset, PAGE_HEADER_SIZE));
    if (header.id !== id) throw this.damaged(`page ${id} is marked as page ${header.id}`);
    const span = header.overflow + 1;
    if (id + BigInt(header.overflow) >= pageCount || offset + span * this.pageSize > this.size) {
      throw this.damaged(`page ${id} spans ${span} pages, past the end of the database`);
    }
    return this.read(offset, span * this.pageSize);
  }

  /** Every leaf element of a bucket's tree, in key order; each page is read at most once. */
  private *leaves(root: BucketRoot): Generator<LeafElement> {
    if ('inline' in root) {
      const page = decodePage(root.inline, `the inline page of bucket ${root.name}`);
      if (typeof page === 'string') throw this.damaged(page);
      if (page.kind !== 'leaf')
        throw this.damaged(`the inline page of bucket ${root.name} is not a leaf`);
      yield* page.elements;
      return;
    }
    const seen = new Set<bigint>();
    const pending = [root.page];
    for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
      if (seen.has(id)) throw this.damaged(`page ${id} is reached twice: the tree has a cycle`);
      seen.add(id);
      const page = decodePage(this.readPage(id), `page ${id}`);
      if (typeof page === 'string') throw this.damaged(page);
      if (page.kind === 'leaf') {
        yield* page.elements;
      } else {
        for (let i = page.elements.length - 1; i >= 0; i -= 1) {
          pending.push((page.elements[i] as { child: bigint }).child);
        }
      }
    }
  }

  /** The nested bucket `name` of the bucket starting at `parent`. */
  private child(parent: BucketRoot, name: string): BoltBucket | undefined {
    const wanted = Buffer.from(name, 'utf8');
    for (const element of this.leaves(parent)) {
      if (!element.isBucket || !element.key.equals(wanted)) continue;
      const { value } = element;
      if (value.length < BUCKET_HEADER_SIZE) {
        throw this.damaged(`bucket ${name} has a header of ${value.length} bytes`);
      }
      const page = value.readBigUInt64LE(0);
      const root: BucketRoot =
        page === 0n ? { inline: value.subarray(BUCKET_HEADER_SIZE), name } : { page };
      return this.bucketAt(root);
    }
    return undefined;
  }

  private bucketAt(root: BucketRoot): BoltBucket {
    const leaves = () => this.leaves(root);
    return {
      *entries() {
        for (const element of leaves()) {
          if (!element.isBucket) yield [element.key, element.value];
        }
      },
      bucket: (name) => this.child(root, name),
    };
  }

  bucket(name: string): BoltBucket | undefined {
    return this.child({ page: this.meta.root }, name);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

/** The current meta of the file: page 0's, then page 1's found by trying bbolt's page sizes. */
function readMeta(path: string, fd: number, size: number): BoltMeta {
  const at = (position: number): Buffer => {
    const buffer = Buffer.alloc(META_READ);
    try {
      return buffer.subarray(0, readSync(fd, buffer, 0, META_READ, position));
    } catch (err) {
      throw STORE_ERRORS.io.withCause(err, path, `read at ${position}`, err);
    }
  };
  const first = parseMeta(at(0), 0);
  let second: BoltMeta | string;
  if (typeof first !== 'string') {
    second = parseMeta(at(first.pageSize), 1);
  } else {
    // As bbolt does when page 0 is damaged: try every page size from 1 KiB to 16 MiB. The
    // reason told is the first that is not a plain mismatch of the magic.
    second = 'no meta page 1 at any page size';
    for (let pageSize = 1024; pageSize <= 1 << 24 && pageSize < size - 1024; pageSize *= 2) {
      const meta = parseMeta(at(pageSize), 1);
      if (typeof meta !== 'string' && meta.pageSize === pageSize) {
        second = meta;
        break;
      }
      if (typeof meta === 'string' && second.startsWith('no ') && !meta.includes('magic')) {
        second = meta;
      }
    }
  }
  const meta = currentMeta(first, second);
  if (typeof meta === 'string')
    throw STORE_ERRORS.boltCorrupt(path, `not a bolt database: ${meta}`);
  if (size < 2 * meta.pageSize) {
    throw STORE_ERRORS.boltCorrupt(
      path,
      `the file is ${size} bytes, shorter than its two meta pages: truncated`,
    );
  }
  if (meta.root < 2n || meta.root >= meta.pageCount) {
    throw STORE_ERRORS.boltCorrupt(path, `its root bucket is page ${meta.root}, out of range`);
  }
  return meta;
}

/**
 * Opens a Go bolt (bbolt) database read-only. Nothing is written and no lock is taken, so a
 * Go manager can be started on the file again at any time; a file locked by a running
 * process (the Go manager holds an flock while it runs) is refused with
 * `TUNASYNC_E_STORE_LOCKED`, a damaged one with `TUNASYNC_E_STORE_BOLT_CORRUPT`. Pages are
 * read when iterated; each is checked (in range, its own id, a branch or leaf page, elements
 * inside it) and a tree never visits a page twice, so damage is an error, never a hang.
 */
export async function openBoltFile(path: string): Promise<BoltFile> {
  const holders = await lockHolders(path);
  if (holders !== undefined && holders.length > 0) throw STORE_ERRORS.locked(path, holders);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw STORE_ERRORS.openFailed.withCause(err, path, errnoOf(err));
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw STORE_ERRORS.openFailed(path, 'not a regular file');
    return new BoltReader(path, fd, info.size, readMeta(path, fd, info.size));
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

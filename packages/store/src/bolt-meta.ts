/**
 * bbolt's meta page (go.etcd.io/bbolt, file format version 2). Pages 0 and 1 each hold one;
 * a writer alternates between them, so the valid one with the higher transaction id is the
 * current state and the other the state before it.
 *
 * Layout, little-endian, after the 16-byte page header:
 *
 *   magic u32 · version u32 · pageSize u32 · flags u32 · root bucket {root pgid u64,
 *   sequence u64} · freelist pgid u64 · high-water pgid u64 · txid u64 · checksum u64
 *
 * The checksum is FNV-1a 64 of the 56 bytes before it.
 */

export const BOLT_MAGIC = 0xed0cdaed;
const BOLT_VERSION = 2;
/** Bytes of the page header that precedes every page's content. */
export const PAGE_HEADER_SIZE = 16;
const META_PAGE_FLAG = 0x04;
const META_SIZE = 64;
const CHECKSUMMED = 56;

export interface BoltMeta {
  /** The page (0 or 1) it was read from. */
  page: 0 | 1;
  pageSize: number;
  /** The page id of the root bucket's root page. */
  root: bigint;
  /** The high-water mark: every page id in use is below it. */
  pageCount: bigint;
  txid: bigint;
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const U64 = (1n << 64n) - 1n;

/** FNV-1a, 64 bits, as Go's `hash/fnv` `New64a`. */
export function fnv1a64(bytes: Uint8Array): bigint {
  let hash = FNV_OFFSET;
  for (const byte of bytes) {
    hash ^= BigInt(byte);
    hash = (hash * FNV_PRIME) & U64;
  }
  return hash;
}

/**
 * The meta of a page buffer (page header included), or the reason it is not valid: a page
 * too short, not a meta page, a wrong magic, a version other than 2, a wrong checksum, or a
 * page size bbolt never writes.
 */
export function parseMeta(buffer: Buffer, page: 0 | 1): BoltMeta | string {
  if (buffer.length < PAGE_HEADER_SIZE + META_SIZE) return `meta page ${page} is cut short`;
  const meta = buffer.subarray(PAGE_HEADER_SIZE, PAGE_HEADER_SIZE + META_SIZE);
  const magic = meta.readUInt32LE(0);
  if (magic !== BOLT_MAGIC) {
    return `meta page ${page} has magic 0x${magic.toString(16).padStart(8, '0')}, not 0x${BOLT_MAGIC.toString(16)}`;
  }
  const version = meta.readUInt32LE(4);
  if (version !== BOLT_VERSION) {
    return `meta page ${page} has format version ${version}, not ${BOLT_VERSION}`;
  }
  const checksum = meta.readBigUInt64LE(CHECKSUMMED);
  if (checksum !== fnv1a64(meta.subarray(0, CHECKSUMMED))) {
    return `meta page ${page} fails its checksum`;
  }
  if ((buffer.readUInt16LE(8) & META_PAGE_FLAG) === 0) {
    return `page ${page} is not flagged as a meta page`;
  }
  const pageSize = meta.readUInt32LE(8);
  // bbolt uses the OS page size (or a chosen one): a power of two from 1 KiB to 16 MiB.
  if (pageSize < 1024 || pageSize > 1 << 24 || (pageSize & (pageSize - 1)) !== 0) {
    return `meta page ${page} has page size ${pageSize}`;
  }
  return {
    page,
    pageSize,
    root: meta.readBigUInt64LE(16),
    pageCount: meta.readBigUInt64LE(40),
    txid: meta.readBigUInt64LE(48),
  };
}

/** Of the two metas, the valid one with the higher txid (bbolt's `db.meta()`). */
export function currentMeta(
  first: BoltMeta | string,
  second: BoltMeta | string,
): BoltMeta | string {
  if (typeof first === 'string' && typeof second === 'string') return `${first}; ${second}`;
  if (typeof first === 'string') return second;
  if (typeof second === 'string') return first;
  return second.txid > first.txid ? second : first;
}

import { PAGE_HEADER_SIZE } from './bolt-meta';

/**
 * bbolt's branch and leaf pages. A page starts with a 16-byte header — id u64, flags u16,
 * count u16, overflow u32 (the number of further pages it spans) — followed by `count`
 * 16-byte elements; each element points at its key (and value) by an offset from the
 * element itself:
 *
 *   branch element: pos u32 · ksize u32 · child pgid u64
 *   leaf element:   flags u32 · pos u32 · ksize u32 · vsize u32   (flags 1: a bucket)
 */

export const BRANCH_PAGE_FLAG = 0x01;
export const LEAF_PAGE_FLAG = 0x02;
const BUCKET_LEAF_FLAG = 0x01;
const ELEMENT_SIZE = 16;

export interface PageHeader {
  id: bigint;
  flags: number;
  count: number;
  overflow: number;
}

export interface BranchElement {
  key: Buffer;
  child: bigint;
}

export interface LeafElement {
  key: Buffer;
  value: Buffer;
  /** The value is a bucket header (and maybe an inline page), not a plain value. */
  isBucket: boolean;
}

export type BoltPage =
  { kind: 'branch'; elements: BranchElement[] } | { kind: 'leaf'; elements: LeafElement[] };

export function readPageHeader(buffer: Buffer): PageHeader {
  return {
    id: buffer.readBigUInt64LE(0),
    flags: buffer.readUInt16LE(8),
    count: buffer.readUInt16LE(10),
    overflow: buffer.readUInt32LE(12),
  };
}

/** `buffer[start, start + size)`, or `undefined` when it runs past the page. */
function slice(buffer: Buffer, start: number, size: number): Buffer | undefined {
  return start + size <= buffer.length ? buffer.subarray(start, start + size) : undefined;
}

/**
 * The elements of a branch or leaf page (`buffer` holds the whole page, overflow included),
 * or why it cannot be read: another page type, elements or keys past the page's end.
 * `what` names the page in the reason.
 */
export function decodePage(buffer: Buffer, what: string): BoltPage | string {
  if (buffer.length < PAGE_HEADER_SIZE) return `${what} is cut short`;
  const { flags, count } = readPageHeader(buffer);
  if (flags !== BRANCH_PAGE_FLAG && flags !== LEAF_PAGE_FLAG) {
    return `${what} has page flags 0x${flags.toString(16)}, not a branch or leaf page`;
  }
  if (PAGE_HEADER_SIZE + count * ELEMENT_SIZE > buffer.length) {
    return `${what} claims ${count} elements, more than the page holds`;
  }
  const branch: BranchElement[] = [];
  const leaf: LeafElement[] = [];
  for (let i = 0; i < count; i += 1) {
    const at = PAGE_HEADER_SIZE + i * ELEMENT_SIZE;
    if (flags === BRANCH_PAGE_FLAG) {
      const key = slice(buffer, at + buffer.readUInt32LE(at), buffer.readUInt32LE(at + 4));
      if (!key) return `${what}: element ${i} points past the end of the page`;
      branch.push({ key, child: buffer.readBigUInt64LE(at + 8) });
    } else {
      const start = at + buffer.readUInt32LE(at + 4);
      const ksize = buffer.readUInt32LE(at + 8);
      const key = slice(buffer, start, ksize);
      const value = slice(buffer, start + ksize, buffer.readUInt32LE(at + 12));
      if (!key || !value) return `${what}: element ${i} points past the end of the page`;
      leaf.push({ key, value, isBucket: (buffer.readUInt32LE(at) & BUCKET_LEAF_FLAG) !== 0 });
    }
  }
  return flags === BRANCH_PAGE_FLAG
    ? { kind: 'branch', elements: branch }
    : { kind: 'leaf', elements: leaf };
}

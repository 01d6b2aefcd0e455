import { crc32c, unmaskCrc } from './crc32c';

/**
 * A read-only reader of a LevelDB MANIFEST (the log of "version edits" naming the live table
 * files), enough to tell before LevelDB opens a directory whether it would open it intact —
 * LevelDB itself writes (rotates its LOG, rewrites the MANIFEST, deletes files it thinks
 * obsolete) before and while it finds out. Format: LevelDB's `doc/log_format.md` and
 * `db/version_edit.cc`.
 */

const BLOCK_SIZE = 32768;
const HEADER_SIZE = 7;
const NUM_LEVELS = 7;
const BYTEWISE = 'leveldb.BytewiseComparator';

/** The part of a MANIFEST the start-up check needs. */
export interface ManifestSummary {
  comparator: string | undefined;
  /** Live table files: file number → size in bytes. */
  tables: Map<number, number>;
}

/** What is wrong with a MANIFEST, in words; thrown by `readManifest`. */
export class ManifestProblem extends Error {}

const RECORD = { zero: 0, full: 1, first: 2, middle: 3, last: 4 } as const;

function allZero(bytes: Uint8Array, from: number): boolean {
  for (let i = from; i < bytes.length; i += 1) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * The logical records of a LevelDB log file. A checksum mismatch or a record cut short is a
 * problem (LevelDB would fail, or silently drop the tail and forget live files); a zero-filled
 * tail (preallocated space) ends the file, as in LevelDB.
 */
export function logRecords(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let pending: Uint8Array[] | undefined;
  let pos = 0;
  while (pos < bytes.length) {
    const leftInBlock = BLOCK_SIZE - (pos % BLOCK_SIZE);
    if (leftInBlock < HEADER_SIZE) {
      pos += leftInBlock; // the block's trailer
      continue;
    }
    if (allZero(bytes, pos)) break;
    if (bytes.length - pos < HEADER_SIZE) {
      throw new ManifestProblem(`a record header is cut short at byte ${pos}`);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset + pos, HEADER_SIZE);
    const masked = view.getUint32(0, true);
    const length = view.getUint16(4, true);
    const type = view.getUint8(6);
    const start = pos + HEADER_SIZE;
    if (start + length > bytes.length) {
      throw new ManifestProblem(`the record at byte ${pos} is cut short (the file ends first)`);
    }
    if (length > leftInBlock - HEADER_SIZE) {
      throw new ManifestProblem(`the record at byte ${pos} is longer than its block`);
    }
    const data = bytes.subarray(start, start + length);
    pos = start + length;
    if (type === RECORD.zero && length === 0) continue;
    const actual = crc32c(data, crc32c(Uint8Array.of(type)));
    if (actual !== unmaskCrc(masked)) {
      throw new ManifestProblem(`the record at byte ${start - HEADER_SIZE} fails its checksum`);
    }
    if (type === RECORD.full && pending === undefined) out.push(data);
    else if (type === RECORD.first && pending === undefined) pending = [data];
    else if (type === RECORD.middle && pending !== undefined) pending.push(data);
    else if (type === RECORD.last && pending !== undefined) {
      out.push(Buffer.concat([...pending, data]));
      pending = undefined;
    } else {
      throw new ManifestProblem(`the record at byte ${start - HEADER_SIZE} is out of sequence`);
    }
  }
  if (pending !== undefined) throw new ManifestProblem('the last record is cut short');
  return out;
}

/** A cursor over one version edit. */
class EditReader {
  private pos = 0;
  constructor(private readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let shift = 0; shift < 64; shift += 7) {
      if (this.pos >= this.bytes.length) throw new ManifestProblem('a number is cut short');
      const byte = this.bytes[this.pos++] as number;
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new ManifestProblem('a number is too long');
  }

  level(): number {
    const level = this.varint();
    if (level >= NUM_LEVELS) throw new ManifestProblem(`level ${level} is out of range`);
    return level;
  }

  slice(): Uint8Array {
    const length = this.varint();
    if (this.pos + length > this.bytes.length) throw new ManifestProblem('a key is cut short');
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }
}

/**
 * Replays a MANIFEST's version edits: the comparator and the live table files. Throws a
 * `ManifestProblem` for anything LevelDB would refuse or misread.
 */
export function readManifest(bytes: Uint8Array): ManifestSummary {
  let comparator: string | undefined;
  const live = new Map<string, { number: number; size: number }>();
  const have = { logNumber: false, nextFile: false, lastSequence: false };
  for (const record of logRecords(bytes)) {
    const edit = new EditReader(record);
    while (!edit.done) {
      const tag = edit.varint();
      switch (tag) {
        case 1:
          comparator = Buffer.from(edit.slice()).toString('utf8');
          break;
        case 2:
          edit.varint();
          have.logNumber = true;
          break;
        case 3:
          edit.varint();
          have.nextFile = true;
          break;
        case 4:
          edit.varint();
          have.lastSequence = true;
          break;
        case 5:
          edit.level();
          edit.slice();
          break;
        case 6: {
          const level = edit.level();
          live.delete(`${level}:${edit.varint()}`);
          break;
        }
        case 7: {
          const level = edit.level();
          const number = edit.varint();
          const size = edit.varint();
          edit.slice();
          edit.slice();
          live.set(`${level}:${number}`, { number, size });
          break;
        }
        case 9:
          edit.varint();
          break;
        default:
          throw new ManifestProblem(`unknown field tag ${tag}`);
      }
    }
  }
  if (!have.nextFile || !have.logNumber || !have.lastSequence) {
    throw new ManifestProblem('it lacks the next-file, log-number or last-sequence entry');
  }
  if (comparator !== undefined && comparator !== BYTEWISE) {
    throw new ManifestProblem(`it was made with the comparator ${comparator}, not ${BYTEWISE}`);
  }
  const tables = new Map<number, number>();
  for (const { number, size } of live.values()) tables.set(number, size);
  return { comparator, tables };
}

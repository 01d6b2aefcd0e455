import { crc32c } from '../src/crc32c';
import { ManifestProblem, logRecords, readManifest } from '../src/leveldb-manifest';

const BLOCK = 32768;

function mask(crc: number): number {
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

/** LevelDB's log writer (db/log_writer.cc), for records that span blocks. */
function writeLog(records: Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (const record of records) {
    let left = record;
    let begin = true;
    do {
      const room = BLOCK - (offset % BLOCK);
      if (room < 7) {
        parts.push(Buffer.alloc(room));
        offset += room;
        continue;
      }
      const take = Math.min(left.length, room - 7);
      const end = take === left.length;
      const type = begin && end ? 1 : begin ? 2 : end ? 4 : 3;
      const data = left.subarray(0, take);
      const header = Buffer.alloc(7);
      header.writeUInt32LE(mask(crc32c(data, crc32c(Uint8Array.of(type)))), 0);
      header.writeUInt16LE(take, 4);
      header.writeUInt8(type, 6);
      parts.push(header, Buffer.from(data));
      offset += 7 + take;
      left = left.subarray(take);
      begin = false;
      if (end) break;
    } while (true);
  }
  return Buffer.concat(parts);
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 128) {
    out.push((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

function slice(text: string): number[] {
  const bytes = [...Buffer.from(text)];
  return [...varint(bytes.length), ...bytes];
}

const HEAD = Uint8Array.from([
  ...[1, ...slice('leveldb.BytewiseComparator')],
  ...[2, ...varint(3), 3, ...varint(300), 4, ...varint(2 ** 40)],
]);
const newFile = (level: number, n: number, size: number) =>
  Uint8Array.from([7, level, ...varint(n), ...varint(size), ...slice('a'), ...slice('z')]);
const deletedFile = (level: number, n: number) => Uint8Array.from([6, level, ...varint(n)]);

test('crc32c is the Castagnoli CRC', () => {
  expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
});

test('records spanning several blocks are put together; trailers are skipped', () => {
  const big = Buffer.alloc(100_000, 9);
  // 'a' takes 8 bytes, the next record ends 3 bytes before the block's end: a trailer.
  const records = [Buffer.from('a'), Buffer.alloc(BLOCK - 8 - 7 - 3, 1), big, Buffer.from('b')];
  const log = writeLog(records);
  expect(log.subarray(BLOCK - 3, BLOCK)).toEqual(Buffer.alloc(3));
  expect(log.length).toBeGreaterThan(4 * BLOCK);
  expect(logRecords(log).map((r) => Buffer.from(r))).toEqual(records);
  // A zero-filled tail is preallocated space, not a record.
  expect(logRecords(Buffer.concat([log, Buffer.alloc(500)]))).toHaveLength(4);
});

test('a cut-short, out-of-sequence or unchecked record is a problem', () => {
  const log = writeLog([Buffer.alloc(40_000, 5)]);
  expect(() => logRecords(log.subarray(0, BLOCK + 10))).toThrow(/is cut short/);
  expect(() => logRecords(log.subarray(0, BLOCK))).toThrow('the last record is cut short');
  expect(() => logRecords(log.subarray(0, 3))).toThrow('a record header is cut short at byte 0');
  expect(() => logRecords(log.subarray(BLOCK))).toThrow(/out of sequence/);
  const flipped = Buffer.from(log);
  flipped[BLOCK + 100] = 1;
  expect(() => logRecords(flipped)).toThrow(`the record at byte ${BLOCK} fails its checksum`);
});

test('the live tables are what the edits leave', () => {
  const manifest = writeLog([HEAD, newFile(0, 5, 1000), newFile(1, 6, 2000), deletedFile(0, 5)]);
  expect(readManifest(manifest)).toEqual({
    comparator: 'leveldb.BytewiseComparator',
    tables: new Map([[6, 2000]]),
  });
});

test('what LevelDB would refuse or misread is a problem', () => {
  const problem = (records: Uint8Array[]) => {
    try {
      readManifest(writeLog(records));
    } catch (err) {
      expect(err).toBeInstanceOf(ManifestProblem);
      return (err as Error).message;
    }
    return 'no problem';
  };
  expect(problem([Uint8Array.of(2, 1)])).toBe(
    'it lacks the next-file, log-number or last-sequence entry',
  );
  expect(problem([HEAD, Uint8Array.of(8, 1)])).toBe('unknown field tag 8');
  expect(problem([HEAD, newFile(7, 1, 1)])).toBe('level 7 is out of range');
  expect(problem([HEAD, Uint8Array.of(2, 0x80)])).toBe('a number is cut short');
  expect(problem([HEAD, Uint8Array.of(2, ...Array<number>(10).fill(0x80), 0)])).toBe(
    'a number is too long',
  );
  expect(problem([HEAD, Uint8Array.of(1, 5, 65)])).toBe('a key is cut short');
  expect(problem([Uint8Array.from([...HEAD, 1, ...slice('other.Comparator')])])).toBe(
    'it was made with the comparator other.Comparator, not leveldb.BytewiseComparator',
  );
});

#!/usr/bin/env node
// Benchmark (not a test): finding the size in a 1 GiB rsync log (SPEC §8) must not read the
// whole file. Build first: `npx nx run @tunasync/providers:build`, then `node bench/log-size.js`.
// Prints the bytes read and the time of `findRsyncSize` versus reading the whole file.
'use strict';

const { createReadStream } = require('node:fs');
const { mkdtemp, open, rm } = require('node:fs/promises');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { findRsyncSize, parseRsyncTotalSize } = require('@tunasync/providers');

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const STATS = [
  '',
  'Number of files: 1,234,567 (reg: 1,200,000, dir: 34,567)',
  'Number of created files: 12',
  'Number of deleted files: 3',
  'Number of regular files transferred: 12',
  'Total file size: 1.23T bytes',
  'Total transferred file size: 456.78M bytes',
  'Literal data: 456.78M bytes',
  'Matched data: 0 bytes',
  'File list size: 45.67M',
  'Total bytes sent: 1.23M',
  'Total bytes received: 457.89M',
  '',
  'sent 1.23M bytes  received 457.89M bytes  1.23M bytes/sec',
  'total size is 1.23T  speedup is 2,345.67',
  '',
].join('\n');

async function wholeFileBaseline(file) {
  let bytes = 0;
  let size;
  let carry = '';
  for await (const chunk of createReadStream(file, { highWaterMark: MiB })) {
    bytes += chunk.length;
    const lines = (carry + chunk.toString('latin1')).split('\n');
    carry = lines.pop().slice(-4096); // a stats line is short: keep a bounded tail
    for (const line of lines) size = parseRsyncTotalSize(line) ?? size;
  }
  return { size, bytes };
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'tunasync-bench-'));
  try {
    const file = join(dir, 'huge.log');
    const handle = await open(file, 'w');
    // A sparse 1 GiB log: a little text at the start, a hole, then the final stats block.
    await handle.write('receiving incremental file list\nTotal file size: 9.99T bytes\n', 0);
    await handle.write(STATS, GiB - Buffer.byteLength(STATS));
    await handle.close();

    let t = process.hrtime.bigint();
    const found = await findRsyncSize(file);
    const findMs = Number(process.hrtime.bigint() - t) / 1e6;

    t = process.hrtime.bigint();
    const baseline = await wholeFileBaseline(file);
    const baseMs = Number(process.hrtime.bigint() - t) / 1e6;

    const ok = found.value === '1.23T' && baseline.size === '1.23T' && found.bytesRead <= MiB;
    const row = (name, size, bytes, ms) =>
      `${name.padEnd(22)} size=${String(size).padEnd(6)} bytes read=${String(bytes).padStart(11)} time=${ms.toFixed(1)} ms`;
    process.stdout.write(
      [
        `log file: ${GiB} bytes (sparse)`,
        row('findRsyncSize (tail)', found.value, found.bytesRead, findMs),
        row('read whole file', baseline.size, baseline.bytes, baseMs),
        `goal: at most ${MiB} bytes read: ${ok ? 'PASS' : 'FAIL'}`,
        '',
      ].join('\n'),
    );
    if (!ok) process.exitCode = 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exitCode = 1;
});

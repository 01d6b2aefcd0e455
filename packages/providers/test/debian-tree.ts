import { rm } from 'node:fs/promises';
import { writeTree } from '@tunasync/test-utils';
import type { FileSpec } from '@tunasync/test-utils';

/** What a generated Debian-like archive holds. */
export interface DebianTreeSpec {
  /** Written into the master trace and every index (the archive's state). */
  serial: string;
  packages: readonly string[];
  architectures?: readonly string[];
  /** Extra files (e.g. `Archive-Update-in-Progress-upstream`). */
  extra?: Record<string, string>;
  /** Bytes of each pool file and of padding in each index (default: a few bytes). */
  poolBytes?: number;
  indexPadding?: number;
}

/** The pool path of a package in a tree of `serial`. */
export function poolPath(name: string, serial: string): string {
  return `pool/main/${name[0]}/${name}/${name}_${serial}_all.deb`;
}

/**
 * Replace `root` by a small Debian archive: `pool/` files, `dists/stable` with Release,
 * InRelease, per-architecture Packages and Packages.gz (naming the pool files), by-hash copies,
 * `source/Sources`, and `project/trace/master`. Each serial has its own mtime (rsync's quick check).
 */
export async function writeDebianTree(root: string, spec: DebianTreeSpec): Promise<void> {
  await rm(root, { recursive: true, force: true });
  const mtime = new Date(
    Date.UTC(2024, 0, 1) + Number.parseInt(spec.serial.slice(-3), 10) * 60_000,
  );
  const file = (content: string | Buffer): FileSpec => ({ content, mtime });
  const entries: Record<string, FileSpec> = {};
  const padding = spec.indexPadding ? `X-Padding: ${'x'.repeat(spec.indexPadding)}\n\n` : '';
  const packagesText =
    padding +
    spec.packages
      .map((p) => `Package: ${p}\nVersion: ${spec.serial}\nFilename: ${poolPath(p, spec.serial)}\n`)
      .join('\n');
  for (const p of spec.packages) {
    const content = `${p} ${spec.serial}`;
    entries[poolPath(p, spec.serial)] = file(
      spec.poolBytes ? content.padEnd(spec.poolBytes, '.') : content,
    );
  }
  const indexes: string[] = ['main/source/Sources'];
  for (const arch of spec.architectures ?? ['amd64', 'arm64']) {
    const dir = `main/binary-${arch}`;
    entries[`dists/stable/${dir}/Packages`] = file(packagesText);
    entries[`dists/stable/${dir}/Packages.gz`] = file(packagesText);
    entries[`dists/stable/${dir}/by-hash/SHA256/${spec.serial}-${arch}`] = file(packagesText);
    indexes.push(
      `${dir}/Packages`,
      `${dir}/Packages.gz`,
      `${dir}/by-hash/SHA256/${spec.serial}-${arch}`,
    );
  }
  // Release names the indexes it covers (as `SHA256:` lines do)
  const release = `Release ${spec.serial}\nSHA256:\n${indexes.map((i) => ` 0 0 ${i}\n`).join('')}`;
  Object.assign(entries, {
    'dists/stable/main/source/Sources': file(`${padding}Sources ${spec.serial}`),
    'dists/stable/Release': file(release),
    'dists/stable/InRelease': file(release),
    'project/trace/master': file(
      `Thu Dec  3 10:00:00 UTC 2026\nDate: Thu, 03 Dec 2026 10:00:00 +0000\nArchive serial: ${spec.serial}\n`,
    ),
    'project/trace/_hierarchy': file('master master ftp-master.debian.org \n'),
  });
  for (const [path, content] of Object.entries(spec.extra ?? {})) entries[path] = file(content);
  await writeTree(root, entries);
}

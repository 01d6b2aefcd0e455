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
  const packagesText = spec.packages
    .map((p) => `Package: ${p}\nVersion: ${spec.serial}\nFilename: ${poolPath(p, spec.serial)}\n`)
    .join('\n');
  for (const p of spec.packages) entries[poolPath(p, spec.serial)] = file(`${p} ${spec.serial}`);
  for (const arch of spec.architectures ?? ['amd64', 'arm64']) {
    const dir = `dists/stable/main/binary-${arch}`;
    entries[`${dir}/Packages`] = file(packagesText);
    entries[`${dir}/Packages.gz`] = file(packagesText);
    entries[`${dir}/by-hash/SHA256/${spec.serial}-${arch}`] = file(packagesText);
  }
  Object.assign(entries, {
    'dists/stable/main/source/Sources': file(`Sources ${spec.serial}`),
    'dists/stable/Release': file(`Release ${spec.serial}`),
    'dists/stable/InRelease': file(`InRelease ${spec.serial}`),
    'project/trace/master': file(
      `Thu Dec  3 10:00:00 UTC 2026\nDate: Thu, 03 Dec 2026 10:00:00 +0000\nArchive serial: ${spec.serial}\n`,
    ),
    'project/trace/_hierarchy': file('master master ftp-master.debian.org \n'),
  });
  for (const [path, content] of Object.entries(spec.extra ?? {})) entries[path] = file(content);
  await writeTree(root, entries);
}

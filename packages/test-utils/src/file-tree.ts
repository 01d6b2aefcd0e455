import { createHash } from 'node:crypto';
import {
  chmod,
  link,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** A file with its content and optionally its mode and modification time. */
export interface FileSpec {
  content: string | Buffer;
  mode?: number;
  mtime?: Date;
}

/**
 * One entry of a tree to write: file content, a file spec, a symlink (target written as
 * given), a hard link to another path of the tree, or an empty directory.
 */
export type TreeEntry =
  string | Buffer | FileSpec | { symlink: string } | { hardlink: string } | { dir: true };

/**
 * Write `entries` (relative path → entry) under `root`, in insertion order, creating
 * parent directories. A hard link's target must come earlier.
 */
export async function writeTree(root: string, entries: Record<string, TreeEntry>): Promise<void> {
  for (const [relPath, entry] of Object.entries(entries)) {
    const path = join(root, relPath);
    await mkdir(dirname(path), { recursive: true });
    if (typeof entry === 'string' || Buffer.isBuffer(entry)) {
      await writeFile(path, entry);
    } else if ('symlink' in entry) {
      await symlink(entry.symlink, path);
    } else if ('hardlink' in entry) {
      await link(join(root, entry.hardlink), path);
    } else if ('dir' in entry) {
      await mkdir(path, { recursive: true });
    } else {
      await writeFile(path, entry.content);
      if (entry.mode !== undefined) await chmod(path, entry.mode);
      if (entry.mtime !== undefined) await utimes(path, entry.mtime, entry.mtime);
    }
  }
}

/** What `snapshotTree` records for one path. */
export type TreeNode =
  | { type: 'file'; size: number; sha256: string }
  | { type: 'dir' }
  | { type: 'symlink'; target: string }
  | { type: 'other' };

/**
 * A comparable picture of a tree: relative path → node, sorted by path. Paths for which
 * `ignore` returns true (and everything below them) are left out.
 */
export async function snapshotTree(
  root: string,
  ignore: (relPath: string) => boolean = () => false,
): Promise<Record<string, TreeNode>> {
  const out: Record<string, TreeNode> = {};
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(join(root, rel))).sort();
    for (const name of names) {
      const childRel = rel === '' ? name : `${rel}/${name}`;
      if (ignore(childRel)) continue;
      const path = join(root, childRel);
      const stat = await lstat(path);
      if (stat.isDirectory()) {
        out[childRel] = { type: 'dir' };
        await walk(childRel);
      } else if (stat.isSymbolicLink()) {
        out[childRel] = { type: 'symlink', target: await readlink(path) };
      } else if (stat.isFile()) {
        const sha256 = createHash('sha256')
          .update(await readFile(path))
          .digest('hex');
        out[childRel] = { type: 'file', size: stat.size, sha256 };
      } else {
        out[childRel] = { type: 'other' };
      }
    }
  };
  await walk('');
  return out;
}

/** Groups (size ≥ 2) of regular files under `root` that are the same inode, as sorted relative paths. */
export async function hardLinkGroups(root: string): Promise<string[][]> {
  const byInode = new Map<string, string[]>();
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(join(root, rel))).sort()) {
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const stat = await lstat(join(root, childRel));
      if (stat.isDirectory()) await walk(childRel);
      else if (stat.isFile()) {
        const key = `${stat.dev}:${stat.ino}`;
        byInode.set(key, [...(byInode.get(key) ?? []), childRel]);
      }
    }
  };
  await walk('');
  return [...byInode.values()].filter((group) => group.length > 1).sort();
}

import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { snapshotTree } from '@tunasync/test-utils';
import type { TreeNode } from '@tunasync/test-utils';

/** `snapshotTree` plus every entry's mtime, and the root's: a rewrite or a new file shows. */
export async function treeState(
  root: string,
): Promise<Record<string, TreeNode & { mtimeMs: number }>> {
  const out: Record<string, TreeNode & { mtimeMs: number }> = {};
  const rootInfo = await lstat(root);
  out['.'] = rootInfo.isDirectory()
    ? { type: 'dir', mtimeMs: rootInfo.mtimeMs }
    : { type: 'other', mtimeMs: rootInfo.mtimeMs };
  if (!rootInfo.isDirectory()) return out;
  for (const [path, node] of Object.entries(await snapshotTree(root))) {
    out[path] = { ...node, mtimeMs: (await lstat(join(root, path))).mtimeMs };
  }
  return out;
}

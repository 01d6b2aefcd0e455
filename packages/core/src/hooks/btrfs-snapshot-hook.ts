import type { Stats } from 'node:fs';
import { lstat, readlink, rename, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { defineHook } from '../define-hook';
import { CORE_ERRORS } from '../errors';
import type { JobHook } from '../job-hook';
import { checkTool, runTool } from '../run-tool';

export interface BtrfsSnapshotHookOptions {
  /** Directory of the published snapshots; a mirror's snapshot is `<snapshotPath>/<name>`. */
  snapshotPath: string;
  /** The mirror's own snapshot path (its `snapshot_path`), used instead of `<snapshotPath>/<name>`. */
  mirrorSnapshotPath?: string;
  /** Names the snapshots (default: the system clock). */
  now?: () => Date;
}

async function lstatOrNull(p: string): Promise<Stats | null> {
  try {
    return await lstat(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function isSubvolume(p: string): Promise<boolean> {
  const result = await runTool(['btrfs', 'subvolume', 'show', p]);
  return result.code === 0;
}

function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace('.', '');
}

/**
 * Btrfs snapshot (SPEC §4.5). Before the job the working directory must be a subvolume:
 * it is created when absent; an ordinary directory there is an error. After a success, a
 * fresh snapshot of the working directory replaces the published one without a moment
 * where the published path is missing: each snapshot is made at
 * `<dir>/.<name>@<timestamp>`, the published path `<dir>/<name>` is a symlink that is
 * switched to it by an atomic rename, and only then is the previous snapshot deleted.
 * A published path that is still a subvolume itself (the Go program's layout) is moved
 * aside once and replaced by the symlink.
 */
export function createBtrfsSnapshotHook(options: BtrfsSnapshotHookOptions): JobHook {
  const now = options.now ?? (() => new Date());
  return defineHook('btrfs-snapshot', {
    'pre-job': async ({ provider, logger }) => {
      const dir = provider.workingDir;
      const st = await lstatOrNull(dir);
      if (st === null) {
        await checkTool(['btrfs', 'subvolume', 'create', dir]);
        logger.info(`created btrfs subvolume ${dir}`);
      } else if (!(await isSubvolume(dir))) {
        throw CORE_ERRORS.btrfsNotSubvolume(dir);
      }
    },
    'post-success': async ({ provider, logger }) => {
      const published =
        options.mirrorSnapshotPath ?? path.join(options.snapshotPath, provider.name);
      const parent = path.dirname(published);
      const base = path.basename(published);
      const snapshotName = `.${base}@${stamp(now())}`;
      const snapshot = path.join(parent, snapshotName);
      await checkTool(['btrfs', 'subvolume', 'snapshot', provider.workingDir, snapshot]);

      const current = await lstatOrNull(published);
      let previous: string | null = null;
      if (current?.isSymbolicLink()) {
        previous = path.resolve(parent, await readlink(published));
      } else if (current !== null) {
        if (!(await isSubvolume(published))) {
          await checkTool(['btrfs', 'subvolume', 'delete', snapshot]);
          throw CORE_ERRORS.btrfsNotSubvolume(published);
        }
        // The Go layout: the published path is a subvolume. Move it aside once.
        previous = path.join(parent, `.${base}@previous-${stamp(now())}`);
        await rename(published, previous);
      }
      const tmpLink = path.join(parent, `.${base}.link-${process.pid}`);
      await rm(tmpLink, { force: true });
      await symlink(snapshotName, tmpLink);
      await rename(tmpLink, published);
      logger.info(`published btrfs snapshot ${snapshot} at ${published}`);
      if (previous !== null && previous !== snapshot) {
        await checkTool(['btrfs', 'subvolume', 'delete', previous]);
      }
    },
  });
}

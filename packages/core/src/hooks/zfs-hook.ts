import { stat } from 'node:fs/promises';
import { defineHook } from '../define-hook';
import { CORE_ERRORS } from '../errors';
import type { JobHook } from '../job-hook';
import type { Provider } from '../provider';
import { runTool } from '../run-tool';

export interface ZfsHookOptions {
  /** The pool whose datasets hold the mirrors; a mirror's dataset is `<zpool>/<name>` lower-cased. */
  zpool: string;
}

/** The commands an admin runs to give a mirror its own ZFS dataset. */
export function zfsHelp(zpool: string, provider: Provider): string {
  const dataset = `${zpool}/${provider.name}`.toLowerCase();
  const lines = [
    `    zfs create '${dataset}'`,
    `    zfs set mountpoint='${provider.workingDir}' '${dataset}'`,
  ];
  const uid = process.getuid?.();
  if (uid !== undefined && uid !== 0) lines.push(`    chown ${uid} '${provider.workingDir}'`);
  return lines.join('\n');
}

/**
 * ZFS check (SPEC §4.5): before the job, the working directory must exist and be a mount
 * point (`mountpoint -q`); otherwise the job fails with the exact `zfs create` /
 * `zfs set mountpoint` commands the admin should run.
 */
export function createZfsHook(options: ZfsHookOptions): JobHook {
  return defineHook('zfs', {
    'pre-job': async ({ provider }) => {
      const dir = provider.workingDir;
      const exists = await stat(dir).then(
        (s) => s.isDirectory(),
        () => false,
      );
      if (!exists) {
        throw CORE_ERRORS.zfsNotMounted(
          dir,
          `directory ${dir} does not exist`,
          zfsHelp(options.zpool, provider),
        );
      }
      const result = await runTool(['mountpoint', '-q', dir]);
      if (result.code !== 0) {
        throw CORE_ERRORS.zfsNotMounted(
          dir,
          `${dir} is not a mount point`,
          zfsHelp(options.zpool, provider),
        );
      }
    },
  });
}

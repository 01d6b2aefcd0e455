import { lstat, mkdir, readdir, rename, rm, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { defineHook } from '../define-hook';
import type { JobHook } from '../job-hook';

export interface LogLimiterHookOptions {
  /** How many of the mirror's older logs to keep besides the current one (default 9). */
  keep?: number;
  /** The clock that names the log files (default: the system clock). */
  now?: () => Date;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** `2026-01-02_15_04`, in local time like the Go program. */
export function logFileStamp(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}_${pad(date.getHours())}_${pad(date.getMinutes())}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Point `link` at `target` by renaming a fresh symlink over it: `link` never goes missing. */
async function replaceSymlink(target: string, link: string): Promise<void> {
  const tmp = `${link}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await symlink(target, tmp);
  try {
    await rename(tmp, link);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * The log limiter (SPEC §4.5). Before each attempt: keep only the newest `keep` (9) of this
 * mirror's own log files in its log directory (`<name>_<YYYY-MM-DD_HH_MM>.log[.fail]`, so
 * a mirror `debian` never touches `debian-security_…`), make
 * `<name>_<YYYY-MM-DD_HH_MM>.log` this attempt's log file (in a context layer, key
 * `logFile`), and point the symlink `latest` at it. After a failed attempt the file is
 * renamed to `….log.fail` and `latest` follows it. A provider logging to `/dev/null` is
 * left alone.
 */
export function createLogLimiterHook(options: LogLimiterHookOptions = {}): JobHook {
  const keep = options.keep ?? 9;
  const now = options.now ?? (() => new Date());
  let entered = false;

  const leave = (provider: { context: { exit(): unknown } }): void => {
    if (entered) provider.context.exit();
    entered = false;
  };

  return defineHook('log-limiter', {
    'pre-exec': async ({ provider, logger }) => {
      if (provider.logFile() === '/dev/null') return;
      const logDir = provider.logDir;
      await mkdir(logDir, { recursive: true });
      const own = new RegExp(
        `^${escapeRegExp(provider.name)}_\\d{4}-\\d{2}-\\d{2}_\\d{2}_\\d{2}\\.log(\\.fail)?$`,
      );
      const names = (await readdir(logDir)).filter((n) => own.test(n));
      const files = await Promise.all(
        names.map(async (name) => ({ name, mtime: (await stat(path.join(logDir, name))).mtimeMs })),
      );
      files.sort((a, b) => b.mtime - a.mtime || b.name.localeCompare(a.name));
      for (const old of files.slice(keep)) {
        logger.debug(`removing old log ${old.name}`);
        await rm(path.join(logDir, old.name), { force: true });
      }
      const fileName = `${provider.name}_${logFileStamp(now())}.log`;
      await replaceSymlink(fileName, path.join(logDir, 'latest'));
      provider.context.enter({ logFile: path.join(logDir, fileName) });
      entered = true;
    },
    'post-success': ({ provider }) => leave(provider),
    'post-fail': async ({ provider }) => {
      if (!entered) return;
      const logFile = provider.logFile();
      const failed = `${logFile}.fail`;
      try {
        await rename(logFile, failed);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      const link = path.join(path.dirname(logFile), 'latest');
      const isLink = await lstat(link).then(
        (s) => s.isSymbolicLink(),
        () => true,
      );
      if (isLink) await replaceSymlink(path.basename(failed), link);
      leave(provider);
    },
  });
}

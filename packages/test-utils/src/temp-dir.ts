import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Create a fresh, uniquely named directory under `os.tmpdir()`. */
export async function makeTempDir(prefix = 'tunasync-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Remove a directory tree; a missing directory is not an error. */
export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * Keeps track of the temp dirs a test suite made, so one `afterEach(() => dirs.cleanup())`
 * removes them all.
 */
export class TempDirs {
  private readonly dirs: string[] = [];

  async make(prefix?: string): Promise<string> {
    const dir = await makeTempDir(prefix);
    this.dirs.push(dir);
    return dir;
  }

  /** Remove every directory made so far; runs every removal even if one fails. */
  async cleanup(): Promise<void> {
    const dirs = this.dirs.splice(0);
    const results = await Promise.allSettled(dirs.map((dir) => removeTempDir(dir)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

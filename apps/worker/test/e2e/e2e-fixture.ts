import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MirrorStatus, WebMirrorStatus, WorkerStatus } from '@tunasync/api-types';
import {
  RestartableManager,
  requireTool,
  startRsyncDaemon,
  writeTree,
  type ManagerProcessOptions,
  type RsyncDaemon,
} from '@tunasync/test-utils';
import { waitFor } from '../helpers/worker-fixture';

/** A few small files: a sync of them takes milliseconds. */
export const SMALL_TREE = {
  README: 'hello mirror\n',
  'pool/a.deb': 'a'.repeat(4096),
  'pool/b.deb': 'b'.repeat(8192),
  'dists/stable/Release': 'Suite: stable\n',
};

/** One 3 MiB file: with `--bwlimit=64` a sync of it takes far longer than any test. */
export const BIG_TREE = { 'big.iso': Buffer.alloc(3 * 1024 * 1024, 7) };

/** rsync options that make a sync of `BIG_TREE` slow (64 KiB/s). */
export const SLOW = 'rsync_options = ["--bwlimit=64"]';

/** The rsync daemon fixture serving `pub` (small), `pub2` (small) and `big` modules. */
export async function startUpstream(root: string): Promise<RsyncDaemon> {
  requireTool('rsync', 'apt-get install -y rsync');
  await writeTree(path.join(root, 'pub'), SMALL_TREE);
  await writeTree(path.join(root, 'pub2'), { ...SMALL_TREE, 'extra.txt': 'v2\n' });
  await writeTree(path.join(root, 'big'), BIG_TREE);
  return startRsyncDaemon({
    modules: ['pub', 'pub2', 'big'].map((name) => ({ name, path: path.join(root, name) })),
  });
}

/** An rsync `[[mirrors]]` table (test-utils' writer). */
export { rsyncMirror } from '@tunasync/test-utils';

/**
 * The real manager as a child process, brought back on the same port and data by `start()`
 * after a `stop()` (test-utils' `RestartableManager`), with the calls these tests make.
 */
export class ManagerFixture extends RestartableManager {
  constructor(
    dbDir: string,
    options: Omit<ManagerProcessOptions, 'dbDir'> = {},
    readonly token?: string,
  ) {
    super(dbDir, options);
  }

  jobs(): Promise<WebMirrorStatus[]> {
    return this.get<WebMirrorStatus[]>('/jobs');
  }

  workerJobs(worker = 'w1'): Promise<MirrorStatus[]> {
    return this.get<MirrorStatus[]>(`/workers/${worker}/jobs`);
  }

  workers(): Promise<WorkerStatus[]> {
    return this.get<WorkerStatus[]>('/workers');
  }

  /** POST /cmd as tunasynctl does; resolves with the status and the body. */
  async cmd(
    cmd: string,
    mirror: string,
    options: Record<string, boolean> = {},
    worker = 'w1',
  ): Promise<{ status: number; body: unknown }> {
    const answer = await fetch(`${this.url}/cmd`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: JSON.stringify({ cmd, mirror_id: mirror, worker_id: worker, args: [], options }),
    });
    return { status: answer.status, body: (await answer.json()) as unknown };
  }

  /** Polls this worker's statuses until `name` satisfies `check`. */
  waitForMirror(
    name: string,
    check: (status: MirrorStatus) => boolean,
    what: string,
    timeoutMs = 15_000,
    worker = 'w1',
  ): Promise<MirrorStatus> {
    return waitFor(
      `${name}: ${what}`,
      async () => {
        const found = (await this.workerJobs(worker).catch(() => [])).find((s) => s.name === name);
        return found && check(found) ? found : undefined;
      },
      timeoutMs,
    );
  }
}

/** Writes a file (worker.conf rewrites in the tests). */
export async function write(file: string, text: string): Promise<void> {
  await writeFile(file, text);
}

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeTree } from '../src/file-tree';
import { listProcessGroup } from '../src/process-group';
import type { RsyncDaemon } from '../src/rsync-daemon';
import { startRsyncDaemon } from '../src/rsync-daemon';
import { TempDirs } from '../src/temp-dir';

const run = promisify(execFile);
const dirs = new TempDirs();
let daemon: RsyncDaemon | undefined;

afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  await dirs.cleanup();
});

describe('startRsyncDaemon', () => {
  it('serves open and password-protected modules on 127.0.0.1 and stops completely', async () => {
    const pub = await dirs.make();
    const priv = await dirs.make();
    await writeTree(pub, { 'a.txt': 'public', 'sub/b.txt': 'b' });
    await writeTree(priv, { 'secret.txt': 'private' });
    daemon = await startRsyncDaemon({
      modules: [
        { name: 'pub', path: pub },
        { name: 'priv', path: priv, auth: { user: 'alice', password: 's3cret' } },
      ],
    });
    expect(daemon.url('pub')).toBe(`rsync://127.0.0.1:${daemon.port}/pub/`);
    expect(await readFile(daemon.configFile, 'utf8')).toMatch(/use chroot = no/);

    const dest = await dirs.make();
    await run('rsync', ['-a', daemon.url('pub'), dest]);
    expect(await readFile(join(dest, 'sub/b.txt'), 'utf8')).toBe('b');

    await expect(
      run('rsync', ['-a', daemon.url('priv'), dest], {
        env: { ...process.env, USER: 'alice', RSYNC_PASSWORD: 'wrong' },
      }),
    ).rejects.toMatchObject({ code: 5 });
    await run('rsync', ['-a', daemon.url('priv'), dest], {
      env: { ...process.env, USER: 'alice', RSYNC_PASSWORD: 's3cret' },
    });
    expect(await readFile(join(dest, 'secret.txt'), 'utf8')).toBe('private');
    expect(daemon.readLog()).toMatch(/auth failed/);

    const { pid, configFile } = daemon;
    const stopping = daemon.stop();
    expect(daemon.stop()).toBe(stopping);
    await stopping;
    expect(listProcessGroup(pid)).toEqual([]);
    expect(existsSync(configFile)).toBe(false);
  });

  it('rejects bad module names', async () => {
    await expect(startRsyncDaemon({ modules: [{ name: 'a b', path: '/tmp' }] })).rejects.toThrow(
      /invalid rsync module name/,
    );
  });
});

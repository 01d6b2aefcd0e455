import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { MirrorJob, createZfsHook } from '../../src';
import { FakeBin, tempDir } from '../helpers/fake-tool';
import { runHook } from '../helpers/run-hook';
import { ControlledProvider } from '../helpers/test-provider';

describe('ZFS hook', () => {
  let dir: string;
  let bin: FakeBin;
  beforeEach(async () => {
    dir = await tempDir();
    bin = await FakeBin.create();
  });
  afterEach(async () => {
    await bin.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  const help = (workingDir: string) =>
    `you may create the ZFS dataset with:\n` +
    `    zfs create 'tank/mirrors/ubuntu-ports'\n` +
    `    zfs set mountpoint='${workingDir}' 'tank/mirrors/ubuntu-ports'` +
    (process.getuid!() !== 0 ? `\n    chown ${process.getuid!()} '${workingDir}'` : '');

  it('passes when the working dir is a mount point (mountpoint -q <dir>)', async () => {
    const mountpoint = await bin.tool('mountpoint', 'process.exitCode = 0;');
    const workingDir = await mkdir(path.join(dir, 'Ubuntu-Ports'), { recursive: true }).then(() =>
      path.join(dir, 'Ubuntu-Ports'),
    );
    const provider = new ControlledProvider({ name: 'Ubuntu-Ports', workingDir });
    await runHook(createZfsHook({ zpool: 'tank/mirrors' }), 'pre-job', provider);
    expect(await mountpoint.calls()).toEqual([['-q', workingDir]]);
  });

  it('fails with the exact commands to run when it is not a mount point', async () => {
    const mountpoint = await bin.tool('mountpoint', 'process.exitCode = 32;');
    const workingDir = path.join(dir, 'Ubuntu-Ports');
    await mkdir(workingDir);
    const provider = new ControlledProvider({ name: 'Ubuntu-Ports', workingDir });
    await expect(
      runHook(createZfsHook({ zpool: 'Tank/Mirrors' }), 'pre-job', provider),
    ).rejects.toMatchObject({
      code: 'TUNASYNC_E_ZFS_NOT_MOUNTED',
      message: `${workingDir} is not a mount point; ${help(workingDir)}`,
    });
    expect(await mountpoint.calls()).toEqual([['-q', workingDir]]);
  });

  it('fails the job when the working dir is missing, without calling mountpoint', async () => {
    const mountpoint = await bin.tool('mountpoint');
    const workingDir = path.join(dir, 'absent');
    const provider = new ControlledProvider({ name: 'ubuntu-ports', workingDir });
    provider.addHook(createZfsHook({ zpool: 'tank/mirrors' }));
    const job = new MirrorJob(provider);
    const messages: string[] = [];
    job.on('status', (e) => messages.push(e.message));
    await job.start();
    await job.whenIdle();
    expect(messages.at(-1)).toBe(
      `error exec hook pre-job: directory ${workingDir} does not exist; ${help(workingDir)}`,
    );
    expect(provider.runs).toBe(0);
    expect(await mountpoint.calls()).toEqual([]);
  });

  it('works with the real mountpoint tool', async () => {
    await bin.cleanup(); // use the system's mountpoint
    const hook = createZfsHook({ zpool: 'tank' });
    await runHook(hook, 'pre-job', new ControlledProvider({ name: 'root', workingDir: '/proc' }));
    await expect(
      runHook(hook, 'pre-job', new ControlledProvider({ name: 'tmp', workingDir: dir })),
    ).rejects.toMatchObject({ code: 'TUNASYNC_E_ZFS_NOT_MOUNTED' });
    bin = await FakeBin.create();
  });
});

import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, stat, writeFile, appendFile } from 'node:fs/promises';
import path from 'node:path';
import { waitUntil } from '@tunasync/test-utils';
import { CGROUP_JOIN_SCRIPT, MirrorJob, cgroupLayout, createCgroupHook } from '../../src';
import { EventLog } from '../helpers/events';
import { tempDir } from '../helpers/fake-tool';
import { runHook } from '../helpers/run-hook';
import { ControlledProvider, ProcessProvider, processAlive } from '../helpers/test-provider';

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  await waitUntil('the condition', check, 5000, 10);
}

describe('cgroup hook', () => {
  let base: string;
  beforeEach(async () => {
    base = await tempDir('tunasync-cgroup-');
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  async function unified(controllers = 'cpu io memory pids'): Promise<void> {
    await writeFile(path.join(base, 'cgroup.controllers'), controllers);
    await mkdir(path.join(base, 'tunasync'));
    await writeFile(path.join(base, 'tunasync', 'cgroup.controllers'), controllers);
    await writeFile(path.join(base, 'tunasync', 'cgroup.subtree_control'), '');
  }

  it('v2: runs the job in its own sub-group with memory.max, then empties and removes it', async () => {
    await unified();
    const provider = new ProcessProvider(
      { name: 'fedora', workingDir: base, logFile: '/dev/null' },
      ['sleep', '30'],
    );
    provider.addHook(
      createCgroupHook({
        basePath: base,
        group: 'tunasync',
        memoryLimit: '256M',
        killRoundsMs: [10, 100, 200],
      }),
    );
    const job = new MirrorJob(provider);
    const log = new EventLog(job);
    const sub = path.join(base, 'tunasync', 'fedora');
    await job.start();
    await log.next('syncing');
    await waitFor(
      async () =>
        provider.child?.pid !== undefined &&
        (await readFile(path.join(sub, 'cgroup.procs'), 'utf8').catch(() => '')).trim() ===
          String(provider.child.pid),
    );
    expect(await readFile(path.join(sub, 'memory.max'), 'utf8')).toBe(String(256 * 1024 * 1024));
    expect(await readFile(path.join(base, 'tunasync', 'cgroup.subtree_control'), 'utf8')).toBe(
      '+memory',
    );
    expect(provider.spawned[0]).toEqual([
      '/bin/sh',
      '-c',
      CGROUP_JOIN_SCRIPT,
      'tunasync-cgroup',
      path.join(sub, 'cgroup.procs'),
      '--',
      'sleep',
      '30',
    ]);

    // A process that escaped the provider's process group but not the cgroup.
    const escaped = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    await appendFile(path.join(sub, 'cgroup.procs'), `\n${escaped.pid}\n`);
    const jobPid = provider.child!.pid!;

    await job.stop();
    expect(processAlive(jobPid)).toBe(false);
    await waitFor(async () => !processAlive(escaped.pid!));
    await expect(stat(sub)).rejects.toThrow();
    expect(provider.context.depth).toBe(0);
    expect(log.statuses).toEqual(['pre-syncing', 'syncing', 'paused']);
  });

  it('v2 without a memory limit does not touch subtree_control', async () => {
    await unified('cpu pids');
    const provider = new ProcessProvider(
      { name: 'small', workingDir: base, logFile: '/dev/null' },
      ['true'],
    );
    provider.addHook(createCgroupHook({ basePath: base }));
    const job = new MirrorJob(provider);
    const log = new EventLog(job);
    await job.start();
    await job.whenIdle();
    expect(log.statuses.at(-1)).toBe('success');
    expect(await readFile(path.join(base, 'tunasync', 'cgroup.subtree_control'), 'utf8')).toBe('');
    await expect(stat(path.join(base, 'tunasync', 'small'))).rejects.toThrow();
  });

  it('v2: a limit without the memory controller is a clear error', async () => {
    await unified('cpu pids');
    const provider = new ControlledProvider({ name: 'm' });
    await expect(
      runHook(createCgroupHook({ basePath: base, memoryLimit: '1G' }), 'pre-exec', provider),
    ).rejects.toMatchObject({
      code: 'TUNASYNC_E_CGROUP',
      message: `cgroup ${path.join(base, 'tunasync')}: the memory controller is not available; enable it in the parent group (echo +memory > cgroup.subtree_control)`,
    });
    expect(provider.context.depth).toBe(0);
  });

  it('v1: a group in the subsystem hierarchy and one in memory with limit_in_bytes', async () => {
    await mkdir(path.join(base, 'cpu'));
    await mkdir(path.join(base, 'memory'));
    const options = { basePath: base, group: '/tunasync', subsystem: 'cpu', memoryLimit: '1G' };
    expect(await cgroupLayout(options, 'ubuntu')).toEqual({
      version: 1,
      groups: [
        path.join(base, 'cpu', 'tunasync', 'ubuntu'),
        path.join(base, 'memory', 'tunasync', 'ubuntu'),
      ],
      memory: {
        file: path.join(base, 'memory', 'tunasync', 'ubuntu', 'memory.limit_in_bytes'),
        bytes: 1024 ** 3,
      },
    });
    const hook = createCgroupHook(options);
    const provider = new ControlledProvider({ name: 'ubuntu' });
    await runHook(hook, 'pre-exec', provider);
    expect(
      await readFile(
        path.join(base, 'memory', 'tunasync', 'ubuntu', 'memory.limit_in_bytes'),
        'utf8',
      ),
    ).toBe(String(1024 ** 3));
    const wrapped = await provider.context
      .get('commandWrapper')!
      .wrap({ argv: ['rsync', '-a'], cwd: '/w', env: { A: 'b' } });
    expect(wrapped).toEqual({
      argv: [
        '/bin/sh',
        '-c',
        CGROUP_JOIN_SCRIPT,
        'tunasync-cgroup',
        path.join(base, 'cpu', 'tunasync', 'ubuntu', 'cgroup.procs'),
        path.join(base, 'memory', 'tunasync', 'ubuntu', 'cgroup.procs'),
        '--',
        'rsync',
        '-a',
      ],
      cwd: '/w',
      env: { A: 'b' },
    });
    await runHook(hook, 'post-exec', provider);
    await expect(stat(path.join(base, 'cpu', 'tunasync', 'ubuntu'))).rejects.toThrow();
    await expect(stat(path.join(base, 'memory', 'tunasync', 'ubuntu'))).rejects.toThrow();
    expect(provider.context.depth).toBe(0);
    // v1 memory subsystem alone: one group.
    expect(
      (await cgroupLayout({ basePath: base, subsystem: 'memory', memoryLimit: 1024 }, 'x')).groups,
    ).toEqual([path.join(base, 'memory', 'tunasync', 'x')]);
  });

  it('the join script execs the command with its words untouched', async () => {
    const procs = path.join(base, 'procs');
    const out = await new Promise<string>((resolve) => {
      const child = spawn(
        '/bin/sh',
        [
          '-c',
          CGROUP_JOIN_SCRIPT,
          'tunasync-cgroup',
          procs,
          '--',
          'printf',
          '%s|',
          '$HOME',
          'a b',
          '*',
        ],
        {
          cwd: base,
        },
      );
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.on('close', () => resolve(`${child.pid}:${text}`));
    });
    const [pid, text] = out.split(':');
    expect(text).toBe('$HOME|a b|*|');
    expect((await readFile(procs, 'utf8')).trim()).toBe(pid);
  });
});

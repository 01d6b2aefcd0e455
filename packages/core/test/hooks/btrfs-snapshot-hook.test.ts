import { lstat, mkdir, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MirrorJob, createBtrfsSnapshotHook } from '../../src';
import { FakeBin, tempDir } from '../helpers/fake-tool';
import { runHook } from '../helpers/run-hook';
import { ControlledProvider } from '../helpers/test-provider';

/** A fake `btrfs` that behaves like the real one on a plain directory tree. */
const FAKE_BTRFS = `
const path = require('node:path');
const [group, verb, a, b] = argv;
const marker = (p) => path.join(p, '.subvolume');
if (group !== 'subvolume') process.exit(2);
if (verb === 'create') { fs.mkdirSync(a); fs.writeFileSync(marker(a), ''); }
else if (verb === 'show') { if (!fs.existsSync(marker(a))) { process.stderr.write('ERROR: Not a Btrfs subvolume\\n'); process.exitCode = 1; } }
else if (verb === 'snapshot') { fs.cpSync(a, b, { recursive: true }); }
else if (verb === 'delete') { fs.rmSync(a, { recursive: true }); }
else process.exitCode = 2;
`;

describe('Btrfs snapshot hook', () => {
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

  it('creates the working dir as a subvolume when it is absent', async () => {
    const btrfs = await bin.tool('btrfs', FAKE_BTRFS);
    const workingDir = path.join(dir, 'data', 'centos');
    await mkdir(path.dirname(workingDir));
    const provider = new ControlledProvider({ name: 'centos', workingDir });
    await runHook(
      createBtrfsSnapshotHook({ snapshotPath: path.join(dir, 'snap') }),
      'pre-job',
      provider,
    );
    expect(await btrfs.calls()).toEqual([['subvolume', 'create', workingDir]]);
    // An existing subvolume is only checked.
    await runHook(
      createBtrfsSnapshotHook({ snapshotPath: path.join(dir, 'snap') }),
      'pre-job',
      provider,
    );
    expect((await btrfs.calls())[1]).toEqual(['subvolume', 'show', workingDir]);
  });

  it('refuses an ordinary directory', async () => {
    await bin.tool('btrfs', FAKE_BTRFS);
    const workingDir = path.join(dir, 'plain');
    await mkdir(workingDir);
    const provider = new ControlledProvider({ name: 'plain', workingDir });
    provider.addHook(createBtrfsSnapshotHook({ snapshotPath: dir }));
    const job = new MirrorJob(provider);
    const messages: string[] = [];
    job.on('status', (e) => messages.push(e.message));
    await job.start();
    await job.whenIdle();
    expect(messages.at(-1)).toBe(
      `error exec hook pre-job: ${workingDir} exists but is not a btrfs subvolume; move its content into a subvolume (btrfs subvolume create ${workingDir}) first`,
    );
  });

  it('after each success publishes a fresh snapshot before deleting the old one', async () => {
    const btrfs = await bin.tool('btrfs', FAKE_BTRFS);
    const workingDir = path.join(dir, 'centos');
    const snap = path.join(dir, 'snap');
    await mkdir(snap);
    let tick = 0;
    const hook = createBtrfsSnapshotHook({
      snapshotPath: snap,
      now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)),
    });
    const provider = new ControlledProvider({ name: 'centos', workingDir });
    provider.addHook(hook);
    let version = 0;
    provider.auto = async () => {
      await writeFile(path.join(workingDir, 'version'), String(++version));
      return undefined;
    };
    const job = new MirrorJob(provider);
    const published = path.join(snap, 'centos');

    await job.start();
    await job.whenIdle();
    expect(await readlink(published)).toBe('.centos@20260101T000000000Z');
    expect(await readFile(path.join(published, 'version'), 'utf8')).toBe('1');

    await job.start();
    await job.whenIdle();
    expect(await readlink(published)).toBe('.centos@20260101T000001000Z');
    expect(await readFile(path.join(published, 'version'), 'utf8')).toBe('2');
    expect((await readdir(snap)).sort()).toEqual(['.centos@20260101T000001000Z', 'centos']);

    expect(await btrfs.calls()).toEqual([
      ['subvolume', 'create', workingDir],
      ['subvolume', 'snapshot', workingDir, path.join(snap, '.centos@20260101T000000000Z')],
      ['subvolume', 'show', workingDir],
      ['subvolume', 'snapshot', workingDir, path.join(snap, '.centos@20260101T000001000Z')],
      ['subvolume', 'delete', path.join(snap, '.centos@20260101T000000000Z')],
    ]);
  });

  it("moves a Go-style published subvolume aside once, and uses the mirror's own path", async () => {
    const btrfs = await bin.tool('btrfs', FAKE_BTRFS);
    const workingDir = path.join(dir, 'work');
    const own = path.join(dir, 'public', 'epel');
    await mkdir(own, { recursive: true });
    await writeFile(path.join(own, '.subvolume'), '');
    await mkdir(workingDir);
    await writeFile(path.join(workingDir, '.subvolume'), '');
    const hook = createBtrfsSnapshotHook({
      snapshotPath: path.join(dir, 'unused'),
      mirrorSnapshotPath: own,
      now: () => new Date(Date.UTC(2026, 5, 1)),
    });
    const provider = new ControlledProvider({ name: 'epel', workingDir });
    await runHook(hook, 'post-success', provider);
    expect((await lstat(own)).isSymbolicLink()).toBe(true);
    expect(await readdir(path.dirname(own))).toEqual(['.epel@20260601T000000000Z', 'epel']);
    expect(await btrfs.calls()).toEqual([
      ['subvolume', 'snapshot', workingDir, path.join(dir, 'public', '.epel@20260601T000000000Z')],
      ['subvolume', 'show', own],
      ['subvolume', 'delete', path.join(dir, 'public', '.epel@previous-20260601T000000000Z')],
    ]);
  });

  it('a btrfs failure fails the hook with the command and its error', async () => {
    await bin.tool(
      'btrfs',
      `process.stderr.write('ERROR: cannot snapshot: Permission denied\\n'); process.exitCode = 1;`,
    );
    const provider = new ControlledProvider({ name: 'x', workingDir: path.join(dir, 'x') });
    await expect(
      runHook(
        createBtrfsSnapshotHook({ snapshotPath: dir, now: () => new Date(0) }),
        'post-success',
        provider,
      ),
    ).rejects.toMatchObject({
      code: 'TUNASYNC_E_TOOL',
      message: `btrfs subvolume snapshot ${path.join(dir, 'x')} ${path.join(dir, '.x@19700101T000000000Z')} exited with code 1: ERROR: cannot snapshot: Permission denied`,
    });
  });
});

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  startManagerProcess,
  startWorkerProcess,
  waitUntil,
  commandMirror,
  writeWorkerConf,
} from '@tunasync/test-utils';
import { Teardown } from '../src/teardown';
import { CTL_BIN, requireBuiltCtl } from '../src/tunasynctl';

jest.setTimeout(90_000);

const README = resolve(__dirname, '..', '..', '..', 'packages', 'providers', 'README.md');

/** The `command="…"` of the authorized_keys line the providers README documents. */
function documentedForcedCommand(): string {
  const text = readFileSync(README, 'utf8');
  const block = text.split('<!-- push-forced-command -->')[1];
  const command = block && /command="([^"]+)"/.exec(block)?.[1];
  if (!command) throw new Error(`${README}: no push-forced-command block with command="…"`);
  return command;
}

/** What sshd does with a forced command: `sh -c COMMAND`, the client's wish in SSH_ORIGINAL_COMMAND. */
function runForced(
  command: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile('/bin/sh', ['-c', command], { env, timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      done({ code, out: stdout + stderr });
    });
  });
}

/** A run counts itself in `<dir>/runs` and holds until `<dir>/release-<n>` exists. */
function heldScript(dir: string): string {
  return `echo run >> ${dir}/runs; n=$(wc -l < ${dir}/runs); while [ ! -e ${dir}/release-$n ]; do sleep 0.05; done`;
}

async function runsOf(dir: string): Promise<number> {
  return (await readFile(join(dir, 'runs'), 'utf8').catch(() => '')).split('\n').filter(Boolean)
    .length;
}

const teardown = new Teardown();
afterEach(() => teardown.run());

test('the documented ssh forced command starts the mirror; with push_rerun a push mid-sync makes one more run', async () => {
  requireBuiltCtl();
  const command = documentedForcedCommand();
  expect(command).toBe('tunasynctl start -w w1 debian');
  const dir = await mkdtemp(join(tmpdir(), 'tunasync-faults-push-'));
  teardown.add(dir, (d) => rm(d, { recursive: true, force: true }));
  const manager = teardown.add(await startManagerProcess(), (m) => m.stop());

  // The mirror host's user: tunasynctl on PATH, its ctl.conf naming the manager.
  const bin = join(dir, 'bin');
  await mkdir(bin);
  await writeFile(
    join(bin, 'tunasynctl'),
    `#!/bin/sh\nexec "${process.execPath}" "${CTL_BIN}" "$@"\n`,
  );
  await chmod(join(bin, 'tunasynctl'), 0o755);
  await mkdir(join(dir, '.config', 'tunasync'), { recursive: true });
  await writeFile(
    join(dir, '.config', 'tunasync', 'ctl.conf'),
    `manager_addr = "127.0.0.1"\nmanager_port = ${manager.port}\n`,
    { mode: 0o600 },
  );
  const env = {
    PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: dir,
    // What the upstream asked for (runmirrors sends `sync:all`): never run.
    SSH_ORIGINAL_COMMAND: `stop -w w1 plain; touch ${dir}/pwned`,
  };

  const debian = join(dir, 'held', 'debian');
  const plain = join(dir, 'held', 'plain');
  await mkdir(debian, { recursive: true });
  await mkdir(plain, { recursive: true });
  const configFile = await writeWorkerConf(dir, {
    managers: [manager.url],
    mirrors: [
      commandMirror('debian', heldScript(debian), 'interval = 1440\npush_rerun = true'),
      commandMirror('plain', heldScript(plain), 'interval = 1440'),
    ],
  });
  teardown.add(await startWorkerProcess({ configFile, stateDir: join(dir, 'state') }), (w) =>
    w.stop(),
  );
  const statusOf = async (name: string) =>
    (
      (await (await fetch(`${manager.url}/jobs`)).json()) as Array<{ name: string; status: string }>
    ).find((j) => j.name === name)?.status;

  // Both first runs are under way.
  await waitUntil(
    'both first runs syncing',
    async () =>
      (await runsOf(debian)) === 1 &&
      (await runsOf(plain)) === 1 &&
      (await statusOf('debian')) === 'syncing' &&
      (await statusOf('plain')) === 'syncing',
    20_000,
  );

  // Three pushes during the run, through the documented line; the same line for `plain`.
  for (let i = 0; i < 3; i++) {
    for (const line of [command, command.replace(/debian$/, 'plain')]) {
      const result = await runForced(line, env);
      expect(result).toEqual({ code: 0, out: expect.stringContaining('Successfully') });
    }
  }
  await writeFile(join(debian, 'release-1'), '');
  await writeFile(join(plain, 'release-1'), '');

  // debian runs once more at once; plain (no push_rerun) ignored the pushes, as in Go.
  await waitUntil('the second run of debian', async () => (await runsOf(debian)) === 2, 20_000);
  await waitUntil('plain done', async () => (await statusOf('plain')) === 'success', 20_000);
  await writeFile(join(debian, 'release-2'), '');
  await waitUntil('debian done', async () => (await statusOf('debian')) === 'success', 20_000);
  expect(await runsOf(debian)).toBe(2);
  expect(await runsOf(plain)).toBe(1);

  // Idle: the documented line starts a run.
  expect((await runForced(command, env)).code).toBe(0);
  await waitUntil('the run started by the push', async () => (await runsOf(debian)) === 3, 20_000);
  await waitUntil('debian syncing', async () => (await statusOf('debian')) === 'syncing', 20_000);
  await writeFile(join(debian, 'release-3'), '');
  await waitUntil(
    'debian done again',
    async () => (await statusOf('debian')) === 'success',
    20_000,
  );
  expect(await runsOf(debian)).toBe(3);
  expect(await runsOf(plain)).toBe(1);
  await expect(readFile(join(dir, 'pwned'))).rejects.toThrow();
});

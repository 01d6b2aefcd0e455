import { execFile } from 'node:child_process';
import { chmod, lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { listProcesses, listProcessGroup, makeTempDir, removeTempDir } from '@tunasync/test-utils';
import {
  configuredRegistry,
  isolatedEnv,
  runIsolated,
  runNpm,
  startLocalRegistry,
  startProgram,
} from '../src';
import type { LocalRegistry, ProgramProcess } from '../src';

const execFileAsync = promisify(execFile);
const ROOT = resolve(__dirname, '../../..');

/** The release group of nx.json: published together, at one version. */
const PUBLIC: Record<string, string> = {
  '@tunasync/api-types': 'packages/api-types',
  '@tunasync/config': 'packages/config',
  '@tunasync/core': 'packages/core',
  '@tunasync/providers': 'packages/providers',
  '@tunasync/store': 'packages/store',
  '@tunasync/manager': 'apps/manager',
  '@tunasync/worker': 'apps/worker',
  '@tunasync/ctl': 'apps/ctl',
};
const PRIVATE = ['@tunasync/test-utils', '@tunasync/e2e'];

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
}

function manifestOf(dir: string): Manifest {
  return JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Manifest;
}

const VERSION = manifestOf('apps/manager').version;
const SYNC_DEADLINE_MS = 60_000;

/**
 * Polls `check` every 200 ms until it returns a value, failing with `what` at the deadline,
 * or at once when `fatal` names a reason (a program that exited).
 */
async function eventually<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
  fatal: () => string | undefined = () => undefined,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    const reason = fatal();
    if (reason !== undefined) throw new Error(`while waiting for ${what}: ${reason}`);
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Fails with how to build when a public package's entry or a bin target is missing. */
function requireBuilt(): void {
  const missing: string[] = [];
  for (const dir of Object.values(PUBLIC)) {
    const manifest = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as {
      main: string;
      bin?: Record<string, string>;
    };
    // A bin shim is two lines that load dist/cli.js.
    const bins = Object.values(manifest.bin ?? {});
    const cli = bins.length > 0 ? ['dist/cli.js'] : [];
    for (const file of [manifest.main, ...bins, ...cli]) {
      if (!existsSync(join(ROOT, dir, file))) missing.push(join(dir, file));
    }
  }
  if (missing.length > 0) {
    throw new Error(
      `not built: ${missing.join(', ')}; run \`npx nx run-many -t build\` (the e2e test target depends on every build)`,
    );
  }
}

/** Live processes (zombies left out) whose command line mentions `text`. */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const p of listProcesses()) {
    if (p.pid === process.pid || p.state === 'Z') continue;
    try {
      const cmdline = readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmdline.includes(text)) found.push(`${p.pid} ${cmdline}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

interface InstalledPackage {
  name: string;
  version: string;
  path: string;
  link: boolean;
}

/** Every `@tunasync/*` directory in an installed tree, nested ones included. */
async function installedScopePackages(nodeModules: string): Promise<InstalledPackage[]> {
  const found: InstalledPackage[] = [];
  const scope = join(nodeModules, '@tunasync');
  const names = await readdir(scope).catch(() => [] as string[]);
  for (const entry of names) {
    const path = join(scope, entry);
    const link = (await lstat(path)).isSymbolicLink();
    const manifest = JSON.parse(await readFile(join(path, 'package.json'), 'utf8')) as Manifest;
    found.push({ name: manifest.name, version: manifest.version, path, link });
    if (!link) found.push(...(await installedScopePackages(join(path, 'node_modules'))));
  }
  return found;
}

describe('published to a local registry and installed globally from it', () => {
  let registry: LocalRegistry | undefined;
  let work = '';
  let prefix = '';
  const started: ProgramProcess[] = [];

  const bin = (name: string) => join(prefix, 'bin', name);

  beforeAll(async () => {
    requireBuilt();
    work = await makeTempDir('tunasync-e2e-registry-');
    prefix = join(work, 'prefix');
    // Only @tunasync comes from the local registry; every other package from the registry
    // npm is configured for (verdaccio has no uplinks, so it never fetches anything).
    registry = await startLocalRegistry({
      scope: '@tunasync',
      upstream: await configuredRegistry(),
    });
    // Two npm caches: `npm publish` leaves each tarball in its cache, and an install from that
    // cache would not download anything from the registry.
    const npm = { userconfig: registry.userconfig, cwd: work };

    // The packages as built (the e2e test target depends on every build), published by the
    // release configuration itself: `nx release publish` runs `npm publish` per project.
    await runIsolated(
      'npx',
      [
        'nx',
        'release',
        'publish',
        '--registry',
        registry.url,
        '--excludeTaskDependencies',
        '--outputStyle=static',
      ],
      { ...npm, cache: join(work, 'publish-cache'), cwd: ROOT, timeoutMs: 150_000 },
    );

    await runNpm(
      [
        'install',
        '--global',
        '--prefix',
        prefix,
        `@tunasync/manager@${VERSION}`,
        `@tunasync/worker@${VERSION}`,
        `@tunasync/ctl@${VERSION}`,
      ],
      { ...npm, cache: join(work, 'install-cache'), timeoutMs: 150_000 },
    );
  }, 300_000);

  afterAll(async () => {
    for (const p of started) p.kill();
    await registry?.stop();
    if (work) await removeTempDir(work);
  });

  it('holds every public package at the workspace version, and no private one', async () => {
    const url = registry!.url;
    for (const [name, dir] of Object.entries(PUBLIC)) {
      const onDisk = manifestOf(dir);
      // One release group with fixed versioning: every package has the same version.
      expect(onDisk.version).toBe(VERSION);
      const r = await fetch(`${url}${name.replace('/', '%2f')}`);
      expect(r.status).toBe(200);
      const doc = (await r.json()) as {
        'dist-tags': Record<string, string>;
        versions: Record<string, Manifest>;
      };
      expect(doc['dist-tags']).toEqual({ latest: VERSION });
      const published = doc.versions[VERSION]!;
      expect(published.dependencies).toEqual(onDisk.dependencies);
      for (const [dep, range] of Object.entries(published.dependencies ?? {})) {
        if (dep.startsWith('@tunasync/')) expect(range).toBe(VERSION);
      }
    }
    for (const name of PRIVATE) {
      const r = await fetch(`${url}${name.replace('/', '%2f')}`);
      expect(r.status).toBe(404);
    }
  });

  it('installed real copies of every public package, downloaded from the local registry', async () => {
    const lib = join(prefix, 'lib', 'node_modules');
    const found = await installedScopePackages(lib);
    expect([...new Set(found.map((p) => p.name))].sort()).toEqual(Object.keys(PUBLIC).sort());
    for (const p of found) {
      expect({ path: p.path, link: p.link, version: p.version }).toEqual({
        path: p.path,
        link: false,
        version: VERSION,
      });
      // What was installed is what the workspace built.
      expect(await readFile(join(p.path, 'dist', 'index.js'), 'utf8')).toBe(
        await readFile(join(ROOT, PUBLIC[p.name]!, 'dist', 'index.js'), 'utf8'),
      );
    }
    const downloads = registry!
      .requests()
      .filter((r) => r.method === 'GET' && r.status === 200 && r.url.endsWith('.tgz'))
      .map((r) => decodeURIComponent(r.url));
    for (const name of Object.keys(PUBLIC)) {
      const base = name.split('/')[1];
      expect(downloads).toContain(`/${name}/-/${base}-${VERSION}.tgz`);
    }
  });

  it('installed binaries print their version', async () => {
    const env = isolatedEnv({ HOME: work });
    const manager = await execFileAsync(bin('tunasync-manager'), ['--version'], { env });
    const worker = await execFileAsync(bin('tunasync-worker'), ['--version'], { env });
    const ctl = await execFileAsync(bin('tunasynctl'), ['--version'], { env });
    expect(manager.stdout.trim()).toBe(`tunasync-manager ${VERSION}`);
    expect(worker.stdout).toBe(`tunasync-worker ${VERSION}\n`);
    expect(ctl.stdout).toBe(`tunasynctl ${VERSION}\n`);
    // The second name npm links for the same program, speaking as the name typed.
    const alias = await execFileAsync(bin('tunasyncctl'), ['--help'], { env });
    expect(alias.stdout).toMatch(/^tunasyncctl: control client for the tunasync manager\n/);
  });

  it('a manager, a worker and tunasynctl, all installed, sync a command mirror and stop cleanly', async () => {
    const run = join(work, 'run');
    await mkdir(run);
    // HOME in the temp dir: no ~/.config/tunasync/ctl.conf of this machine is read.
    const env = isolatedEnv({ HOME: run });

    const managerConf = join(run, 'manager.conf');
    await writeFile(
      managerConf,
      `[server]\naddr = "127.0.0.1"\nport = 0\n\n[files]\ndb_type = "leveldb"\ndb_file = ${JSON.stringify(join(run, 'db'))}\n`,
    );
    const manager = startProgram(bin('tunasync-manager'), ['--config', managerConf], { env });
    started.push(manager);
    const [, managerUrl] = await manager.waitForOutput(/listening on (http:\/\/[^\s]+)/, 20_000);
    const managerPort = new URL(managerUrl!).port;

    const script = join(run, 'sync-hello.sh');
    await writeFile(
      script,
      '#!/bin/sh\necho "hello from $TUNASYNC_MIRROR_NAME" > "$TUNASYNC_WORKING_DIR/hello.txt"\n',
    );
    await chmod(script, 0o755);
    const workerConf = join(run, 'worker.conf');
    await writeFile(
      workerConf,
      `[global]
name = "e2e-worker"
log_dir = ${JSON.stringify(join(run, 'log', '{{.Name}}'))}
mirror_dir = ${JSON.stringify(join(run, 'mirrors'))}
concurrent = 2
interval = 60
retry = 1

[manager]
api_base = ${JSON.stringify(managerUrl)}

[server]
hostname = "127.0.0.1"
listen_addr = "127.0.0.1"
listen_port = 0

[[mirrors]]
name = "hello"
provider = "command"
upstream = "https://example.org/hello/"
command = ${JSON.stringify(script)}
`,
    );
    const worker = startProgram(bin('tunasync-worker'), ['--config', workerConf], { env });
    started.push(worker);

    const ctl = (...args: string[]) =>
      execFileAsync(bin('tunasynctl'), [...args, '-m', '127.0.0.1', '-p', managerPort], {
        env,
        timeout: 10_000,
      });
    const jobs = await eventually(
      'tunasynctl list --all to show hello as success',
      SYNC_DEADLINE_MS,
      async () => {
        const { stdout } = await ctl('list', '--all');
        const list = JSON.parse(stdout) as Array<{ name: string; status: string }>;
        return list.some((j) => j.name === 'hello' && j.status === 'success') ? list : undefined;
      },
      () =>
        [manager, worker]
          .filter((p) => p.child.exitCode !== null || p.child.signalCode !== null)
          .map((p) => `${p.child.spawnfile} exited:\n${p.output()}`)
          .join('\n') || undefined,
    );
    expect(jobs).toEqual([
      expect.objectContaining({
        name: 'hello',
        status: 'success',
        is_master: true,
        upstream: 'https://example.org/hello/',
      }),
    ]);
    expect(await readFile(join(run, 'mirrors', 'hello', 'hello.txt'), 'utf8')).toBe(
      'hello from hello\n',
    );
    const { stdout: workers } = await ctl('workers');
    expect(JSON.parse(workers)).toEqual([expect.objectContaining({ id: 'e2e-worker' })]);

    expect(await worker.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(await manager.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(listProcessGroup(worker.pgid)).toEqual([]);
    expect(listProcessGroup(manager.pgid)).toEqual([]);
    expect(processesMentioning(work)).toEqual([]);
  });
});

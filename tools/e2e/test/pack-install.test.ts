// The install route from a checkout (top README, "Install"): `npm run pack` writes one folder
// of tarballs, `npm install -g ./that-folder/*.tgz` installs every program, and an app's
// tarball installs together with only its library tarballs. No registry serves @tunasync/*
// here; third-party dependencies come from npm's cache (filled by `npm ci`) or the registry.
import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir, removeTempDir } from '@tunasync/test-utils';
import { configuredRegistry, isolatedEnv, runIsolated, runNpm } from '../src';
import type { IsolatedNpmOptions } from '../src';

const execFileAsync = promisify(execFile);
const ROOT = resolve(__dirname, '../../..');
const VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'apps/manager/package.json'), 'utf8')) as {
    version: string;
  }
).version;

const TARBALLS = [
  'api-types',
  'config',
  'core',
  'providers',
  'store',
  'manager',
  'worker',
  'ctl',
].map((name) => `tunasync-${name}-${VERSION}.tgz`);

/** npm's own cache directory, where `npm ci` left the third-party tarballs. */
async function npmCache(): Promise<string> {
  // Asked outside the checkout: inside a workspace package (the test's own directory under
  // Nx) npm refuses `config get` with ENOWORKSPACES.
  const { stdout } = await execFileAsync('npm', ['config', 'get', 'cache'], {
    env: isolatedEnv(),
    cwd: tmpdir(),
  });
  return stdout.trim();
}

describe('npm run pack, then npm install -g of the tarball folder', () => {
  let work = '';
  let out = '';
  let npm: IsolatedNpmOptions;

  beforeAll(async () => {
    work = await makeTempDir('tunasync-e2e-pack-');
    out = join(work, 'packages');
    const userconfig = join(work, 'npmrc');
    await writeFile(userconfig, `registry=${await configuredRegistry()}\n`);
    npm = { userconfig, cache: await npmCache(), cwd: work, timeoutMs: 150_000 };
    // The packages as built (the e2e test target depends on every build), packed by the
    // script behind `npm run pack`.
    await runIsolated('node', [join(ROOT, 'tools/pack.js'), '--no-build', '--out', out], {
      ...npm,
      cwd: ROOT,
    });
  }, 120_000);

  afterAll(async () => {
    if (work) await removeTempDir(work);
  });

  /** `npm install -g --prefix PREFIX TARBALLS…` from the packed folder. */
  async function installInto(prefix: string, tarballs: string[]): Promise<void> {
    await runNpm(
      [
        'install',
        '--global',
        '--prefix',
        prefix,
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        ...tarballs.map((t) => join(out, t)),
      ],
      npm,
    );
  }

  async function versionOf(prefix: string, program: string): Promise<string> {
    const { stdout } = await execFileAsync(join(prefix, 'bin', program), ['--version'], {
      env: isolatedEnv({ HOME: work }),
    });
    return stdout;
  }

  it('writes the eight public packages, and nothing else, into the folder', async () => {
    expect((await readdir(out)).sort()).toEqual([...TARBALLS].sort());
  });

  it('installs every program from the whole folder', async () => {
    const prefix = join(work, 'all');
    await installInto(prefix, TARBALLS);
    expect((await readdir(join(prefix, 'lib', 'node_modules', '@tunasync'))).sort()).toEqual([
      'api-types',
      'config',
      'core',
      'ctl',
      'manager',
      'providers',
      'store',
      'worker',
    ]);
    expect(await versionOf(prefix, 'tunasync-manager')).toBe(`tunasync-manager ${VERSION}\n`);
    expect(await versionOf(prefix, 'tunasync-worker')).toBe(`tunasync-worker ${VERSION}\n`);
    expect(await versionOf(prefix, 'tunasynctl')).toBe(`tunasynctl ${VERSION}\n`);
    expect(await versionOf(prefix, 'tunasyncctl')).toBe(`tunasyncctl ${VERSION}\n`);
    // What was installed is what the workspace built.
    expect(
      await readFile(join(prefix, 'lib/node_modules/@tunasync/worker/dist/index.js'), 'utf8'),
    ).toBe(await readFile(join(ROOT, 'apps/worker/dist/index.js'), 'utf8'));
  });

  it('installs an app with only its own libraries (the worker: api-types, config, core, providers)', async () => {
    const prefix = join(work, 'worker-only');
    await installInto(
      prefix,
      TARBALLS.filter((t) => /-(worker|api-types|config|core|providers)-/.test(t)),
    );
    expect((await readdir(join(prefix, 'lib', 'node_modules', '@tunasync'))).sort()).toEqual([
      'api-types',
      'config',
      'core',
      'providers',
      'worker',
    ]);
    expect(await readdir(join(prefix, 'bin'))).toEqual(['tunasync-worker']);
    expect(await versionOf(prefix, 'tunasync-worker')).toBe(`tunasync-worker ${VERSION}\n`);
  });
});

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../../..');
const PUBLINT = join(ROOT, 'node_modules', '.bin', 'publint');

/** Every package published to the registry (test-utils and e2e are private). */
const PUBLIC = [
  'packages/api-types',
  'packages/client',
  'packages/config',
  'packages/core',
  'packages/providers',
  'packages/store',
  'packages/alerts',
  'apps/manager',
  'apps/worker',
  'apps/ctl',
];

interface PackJson {
  files: Array<{ path: string }>;
}

describe.each(PUBLIC)('the published shape of %s', (dir) => {
  const cwd = join(ROOT, dir);
  const manifest = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as {
    name: string;
    private?: boolean;
    bin?: Record<string, string>;
    repository?: { directory?: string };
  };

  it('is public, names its folder in the repository field', () => {
    expect(manifest.name).toMatch(/^@tunasync\//);
    expect(manifest.private).toBeUndefined();
    expect(manifest.repository?.directory).toBe(dir);
  });

  it('passes publint with no suggestion', async () => {
    const { stdout } = await run(PUBLINT, ['run', '--strict', '--level', 'suggestion', cwd]);
    expect(stdout).toMatch(/All good!/);
  });

  it('packs only built files, bin shims, the status page files (manager), README and LICENSE', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd,
    });
    const [pack] = JSON.parse(stdout) as PackJson[];
    const paths = pack!.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE']));
    expect(paths).toContain('dist/index.js');
    expect(paths).toContain('dist/index.d.ts');
    for (const path of paths) {
      expect(path).toMatch(
        // The manager's status page ships its browser files as they are (page/, no build step).
        dir === 'apps/manager'
          ? /^(package\.json|README\.md|LICENSE|dist\/.+\.(js|d\.ts|js\.map)|bin\/[\w-]+\.js|page\/[\w-]+\.(js|css))$/
          : /^(package\.json|README\.md|LICENSE|dist\/.+\.(js|d\.ts|js\.map)|bin\/[\w-]+\.js)$/,
      );
    }
    for (const bin of Object.values(manifest.bin ?? {})) expect(paths).toContain(bin);
  });
});

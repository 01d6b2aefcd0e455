// `npm ci` on a fresh clone prints no install-scripts warning: every dependency with an
// install script is approved or denied in the root package.json's `allowScripts` (the
// choice of each is in the top README, "Install scripts").
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { requireTool } from '@tunasync/test-utils';

const execFileAsync = promisify(execFile);
const ROOT = resolve(__dirname, '../../..');
const read = (file: string) => JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as unknown;

test('every locked package with an install script has an allowScripts entry', () => {
  const lock = read('package-lock.json') as {
    packages: Record<string, { hasInstallScript?: boolean }>;
  };
  const allow = (read('package.json') as { allowScripts?: Record<string, boolean> }).allowScripts;
  const withScripts = Object.entries(lock.packages)
    .filter(([, entry]) => entry.hasInstallScript === true)
    .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
  expect(withScripts.length).toBeGreaterThan(0);
  expect(withScripts.filter((name) => typeof allow?.[name] !== 'boolean')).toEqual([]);
  // What the store needs where classic-level has no prebuilt binary runs; nx's Nx Cloud
  // client update (network) does not.
  expect(allow?.['classic-level']).toBe(true);
  expect(allow?.nx).toBe(false);
});

test('npm itself finds no unreviewed install script', async () => {
  requireTool('npm', 'apt-get install -y npm (or use the npm that comes with Node.js)');
  const { stdout } = await execFileAsync('npm', ['install-scripts', 'ls'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(stdout.trim()).toBe('No packages with unreviewed install scripts.');
});

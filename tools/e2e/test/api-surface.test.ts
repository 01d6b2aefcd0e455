import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

// The public surface of every published package (tools/api-surface.js) against the reports
// committed in api/: a change of surface shows as a diff of api/*.api.md, and this test
// fails until `npm run api:update` is run and its result committed.

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../../..');
const TOOL = join(ROOT, 'tools', 'api-surface.js');

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function surface(args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [TOOL, ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

let scratch: string | undefined;
afterEach(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
  scratch = undefined;
});

it('every published package has the surface of its committed report in api/', async () => {
  const outcome = await surface([]);
  expect(outcome.stderr).toBe('');
  // On failure the output names each package and the lines that changed.
  expect(outcome.stdout).not.toContain('differs from');
  expect(outcome.code).toBe(0);
  const nx = JSON.parse(await readFile(join(ROOT, 'nx.json'), 'utf8')) as {
    release: { projects: string[] };
  };
  const reports = (await readdir(join(ROOT, 'api'))).sort();
  expect(reports).toEqual(
    nx.release.projects.map((name) => `${name.replace(/^@tunasync\//, '')}.api.md`).sort(),
  );
});

it('the apps export their start function and their config types only', async () => {
  const runtime = async (name: string): Promise<string[]> => {
    const text = await readFile(join(ROOT, 'api', `${name}.api.md`), 'utf8');
    const section = text.split('## Type-only exports')[0] ?? '';
    return [...section.matchAll(/^- `([^`]+)`/gm)].map((m) => m[1] as string);
  };
  expect(await runtime('manager')).toEqual(['runManager']);
  expect(await runtime('worker')).toEqual(['startWorker']);
  expect(await runtime('ctl')).toEqual(['run']);
});

it('a changed surface fails the check with the lines that differ, and --update rewrites it', async () => {
  scratch = await mkdtemp(join(tmpdir(), 'api-surface-'));
  await cp(join(ROOT, 'api'), scratch, { recursive: true });
  const file = join(scratch, 'worker.api.md');
  const committed = await readFile(file, 'utf8');
  await writeFile(
    file,
    committed.replace('- `startWorker`: function\n', '- `WorkerRuntime`: class\n'),
  );

  const stale = await surface(['--reports', scratch, 'apps/worker']);
  expect(stale.code).toBe(1);
  expect(stale.stdout).toContain('the public surface of apps/worker differs from');
  expect(stale.stdout).toContain('  - - `WorkerRuntime`: class');
  expect(stale.stdout).toContain('  + - `startWorker`: function');
  expect(stale.stdout).toContain('npm run api:update');

  const updated = await surface(['--update', '--reports', scratch, 'apps/worker']);
  expect(updated.code).toBe(0);
  expect(await readFile(file, 'utf8')).toBe(committed);
  expect((await surface(['--reports', scratch, 'apps/worker'])).code).toBe(0);
});

it('refuses a folder that is not a published package', async () => {
  const outcome = await surface(['packages/test-utils']);
  expect(outcome.code).toBe(2);
  expect(outcome.stderr).toContain('packages/test-utils is not a published package');
});

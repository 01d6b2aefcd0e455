import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import {
  MANAGER_BIN,
  TempDirs,
  WORKER_BIN,
  badConfigLines,
  mutatedConfig,
  startManagerProcess,
} from '@tunasync/test-utils';

/**
 * Mutated configuration files through the real programs (issue #11): 100 each of
 * manager.conf (`tunasync-manager --check-config`), worker.conf (`tunasync-worker
 * --check-config`) and ctl.conf (`tunasynctl workers --config` against a real manager).
 * Every run exits 0 or 2 (tunasynctl: 1 when it cannot reach the manager the file names),
 * prints no stack trace, and every problem or warning line names the file. The 1,000-file
 * property tests run in-process in the manager's and the worker's own suites.
 */

const SEED = Number(process.env.FAULTS_SEED ?? 1103);
const RUNS = 100;
const PARALLEL = 2;
const ROOT = resolve(__dirname, '..', '..', '..');
const CTL_BIN = join(ROOT, 'apps', 'ctl', 'bin', 'tunasynctl.js');
const example = (name: string) => readFileSync(join(ROOT, 'examples', name), 'utf8');

const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

interface Run {
  code: number;
  stdout: string;
  stderr: string[];
}

function run(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, args, { env, timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? Number((err as { code?: unknown }).code ?? -1) : 0;
      done({ code, stdout, stderr: stderr.split('\n').filter((l) => l !== '') });
    });
  });
}

/** Runs `check` on RUNS mutations of `text` (PARALLEL at a time); returns the exit-code counts. */
async function mutate(
  name: string,
  text: string,
  check: (file: string) => Promise<string[]>,
): Promise<Record<number, number>> {
  const dir = await dirs.make(`tunasync-${name}-mutations-`);
  const samples = fc.sample(mutatedConfig(text), { seed: SEED, numRuns: RUNS });
  const failures: string[] = [];
  let next = 0;
  const codes: Record<number, number> = {};
  const lane = async () => {
    while (next < samples.length) {
      const i = next++;
      const sample = samples[i] as (typeof samples)[number];
      const file = join(dir, `${name}-${i}.conf`);
      await writeFile(file, sample.bytes);
      const problems = await check(file);
      const code = Number(/^exit (\d+)/.exec(problems[0] ?? '')?.[1]);
      codes[code] = (codes[code] ?? 0) + 1;
      if (problems.length > 1) {
        failures.push(`${file} (${sample.steps.join('; ')}):\n  ${problems.slice(1).join('\n  ')}`);
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, lane));
  console.log(
    `${name} mutations through the CLI (seed ${SEED}): ${RUNS} files, exit codes ${JSON.stringify(codes)}`,
  );
  expect(failures).toEqual([]);
  return codes;
}

/** `exit N` first, then what is wrong, if anything. */
function verdict(file: string, result: Run, allowed: number[], lines: string[]): string[] {
  const wrong: string[] = [];
  if (!allowed.includes(result.code))
    wrong.push(`exit ${result.code}, expected ${allowed.join(' or ')}`);
  const all = [...result.stderr, ...result.stdout.split('\n')].join('\n');
  if (/\n\s+at |internal error|unexpected failure/.test(all))
    wrong.push(`a stack trace or an internal error:\n${all}`);
  wrong.push(...badConfigLines(lines, file).map((l) => `does not name the file in one line: ${l}`));
  return [`exit ${result.code}`, ...wrong];
}

test(`${RUNS} mutated manager.conf files through tunasync-manager --check-config`, async () => {
  const codes = await mutate('manager', example('manager.conf'), async (file) => {
    const r = await run([MANAGER_BIN, '--check-config', file]);
    const out = verdict(file, r, [0, 2], r.stderr);
    // The database a start would use (or, when it is in use, a warning instead), then OK.
    const lines = r.stdout.split('\n').slice(0, -1);
    const last = lines.pop() ?? '';
    const ok =
      last.startsWith(`${file}: `) &&
      /^OK, \d+ warning\(s\)$/.test(last.slice(file.length + 2)) &&
      lines.every((line) => /^database: a start would .+$/.test(line)) &&
      lines.length <= 1;
    if (r.code === 0 && !ok) out.push(`stdout ${JSON.stringify(r.stdout)}`);
    const summary = `${file}: ${r.stderr.filter((l) => l.startsWith('error: ')).length} error(s), ${r.stderr.filter((l) => l.startsWith('warning: ')).length} warning(s)`;
    if (
      r.code === 2 &&
      (r.stderr.at(-1) !== summary || !r.stderr.some((l) => l.startsWith('error: ')))
    )
      out.push(`exit 2 without errors and the summary ${summary}: ${r.stderr.join(' | ')}`);
    return out;
  });
  expect(codes[0]).toBeGreaterThan(0);
  expect(codes[2]).toBeGreaterThan(0);
});

test(`${RUNS} mutated worker.conf files through tunasync-worker --check-config`, async () => {
  const codes = await mutate('worker', example('worker.conf'), async (file) => {
    const r = await run([WORKER_BIN, '--check-config', file]);
    return verdict(file, r, [0, 2], r.stderr);
  });
  expect(codes[0]).toBeGreaterThan(0);
  expect(codes[2]).toBeGreaterThan(0);
});

test(`${RUNS} mutated ctl.conf files through tunasynctl workers --config, against a real manager`, async () => {
  const manager = await startManagerProcess();
  const home = await dirs.make('tunasync-ctl-home-');
  try {
    const text = example('ctl.conf').replace(
      /^manager_port = \d+$/m,
      `manager_port = ${manager.port}`,
    );
    const codes = await mutate('ctl', text, async (file) => {
      const r = await run([CTL_BIN, 'workers', '--config', file], { ...process.env, HOME: home });
      const warnings = r.stderr.filter((l) => l.startsWith('[WARN] '));
      const errors = r.stderr.filter((l) => !l.startsWith('[WARN] '));
      const out = verdict(
        file,
        r,
        [0, 1, 2],
        warnings.map((l) => l.slice('[WARN] '.length)),
      );
      // A configuration error names the file; a failure to reach the manager is one line.
      if (r.code === 2) {
        out.push(
          ...badConfigLines(
            errors.map((l) => l.replace(/^tunasynctl: /, '')),
            file,
          ),
        );
      }
      if (r.code === 1 && errors.length !== 1) out.push(`exit 1 with ${errors.length} lines`);
      if (r.code === 0) JSON.parse(r.stdout);
      return out;
    });
    expect(codes[0]).toBeGreaterThan(0);
    expect(codes[2]).toBeGreaterThan(0);
  } finally {
    expect(await manager.stop()).toBe(0);
  }
});

test('a typo of a known key: both daemons refuse it without --strict, say the key meant, end with the same summary', async () => {
  const dir = await dirs.make('tunasync-typo-');
  const manager = join(dir, 'manager.conf');
  await writeFile(
    manager,
    `[server]\nprot = 14243\ncolour = "red"\n[files]\ndb_file = "${join(dir, 'db')}"\n`,
  );
  const worker = join(dir, 'worker.conf');
  await writeFile(
    worker,
    '[global]\nname = "w"\nlog_dir = "/l"\nmirror_dir = "/m"\n[manager]\napi_base = "http://127.0.0.1:1"\n' +
      '[[mirrors]]\nname = "debian"\nprovider = "rsync"\nupstrem = "rsync://x/debian/"\n',
  );
  const m = await run([MANAGER_BIN, '--check-config', manager]);
  expect(m).toEqual({
    code: 2,
    stdout: '',
    stderr: [
      `warning: ${manager}:3:server.colour: unknown key`,
      `error: ${manager}:2:server.prot: unknown key, did you mean \`port\`?`,
      `${manager}: 1 error(s), 1 warning(s)`,
    ],
  });
  const w = await run([WORKER_BIN, '--check-config', worker]);
  expect(w.code).toBe(2);
  expect(w.stderr).toContain(
    `error: ${worker}:10:mirrors[debian].upstrem: unknown key, did you mean \`upstream\`?`,
  );
  const last = w.stderr.at(-1) ?? '';
  expect(last.startsWith(`${worker}: `)).toBe(true);
  expect(last.slice(worker.length)).toMatch(/^: [1-9]\d* error\(s\), 0 warning\(s\)$/);

  // Fixed, both end with the same OK line.
  await writeFile(manager, `[server]\nport = 14243\n[files]\ndb_file = "${join(dir, 'db')}"\n`);
  await writeFile(worker, (await readFile(worker, 'utf8')).replace('upstrem', 'upstream'));
  const fixedManager = await run([MANAGER_BIN, '--check-config', manager]);
  expect(fixedManager.code).toBe(0);
  expect(fixedManager.stdout.split('\n').at(-2)).toBe(`${manager}: OK, 0 warning(s)`);
  const fixedWorker = await run([WORKER_BIN, '--check-config', worker]);
  expect(fixedWorker).toEqual({
    code: 0,
    stdout: `${worker}: OK, 1 mirror(s), 0 warning(s)\n`,
    stderr: [],
  });
});

import { randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  makeTempDir,
  removeTempDir,
  requireTool,
  startRsyncDaemon,
  startWorkerProcess,
  writeTree,
  waitUntil,
  commandMirror,
  rsyncMirror,
  workerConfText,
} from '@tunasync/test-utils';
import { RestartableManager, type CmdAnswer } from '../src/manager-calls';
import { RunWatch, pidsOf } from '../src/mirror-processes';
import { seededRandom } from '../src/seeded-random';
import { Teardown } from '../src/teardown';
import { readWorkerJobs } from '../src/worker-state';

const TOTAL = 1000;
/** Requests in flight at once (never two for one mirror, so each mirror's order is known). */
const LANES = 6;
/** The manager's forwarding limit: no answer may come near it. */
const MANAGER_LIMIT_MS = 5000;

type Verb = 'start' | 'force' | 'stop' | 'restart' | 'disable' | 'ping';
const VERBS: [Verb, number][] = [
  ['start', 25],
  ['force', 10],
  ['stop', 20],
  ['restart', 15],
  ['disable', 15],
  ['ping', 5],
];

const teardown = new Teardown();
afterEach(() => teardown.run());

/** The storm's dice: a seeded PRNG, so `FAULTS_SEED=<n>` replays a storm. */
function dice(seed: number) {
  const next = seededRandom(seed);
  return {
    seed,
    next,
    below: (n: number) => Math.floor(next() * n),
    /** One of `items`, each as likely as its weight. */
    weighted<T>(items: readonly (readonly [T, number])[]): T {
      let at = next() * items.reduce((sum, [, w]) => sum + w, 0);
      for (const [item, weight] of items) {
        at -= weight;
        if (at < 0) return item;
      }
      return (items[items.length - 1] as readonly [T, number])[0];
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

test(`${TOTAL} random commands through /cmd during running syncs, with reloads and SIGHUPs: every one answered in time, never two runs of a job, manager and worker agree at rest`, async () => {
  requireTool('rsync', 'apt-get install -y rsync');
  const random = dice(Number(process.env.FAULTS_SEED ?? Date.now() % 1_000_000));
  const dir = teardown.add(await makeTempDir('faults-storm-'), removeTempDir);
  // 256 KiB at 64 KiB/s: an rsync run of about 4 s.
  await writeTree(join(dir, 'upstream', 'r1'), { 'pack.bin': randomBytes(256 * 1024) });
  const upstream = await startRsyncDaemon({
    modules: [{ name: 'r1', path: join(dir, 'upstream', 'r1') }],
  });
  teardown.add(upstream, (d) => d.stop());
  const manager = teardown.add(await new RestartableManager(join(dir, 'db')).start(), (m) =>
    m.stop(),
  );

  // Runs of about 3 s (`sleep 3.<pid><n>`: a unique argument marks each job's processes).
  // c1–c4 take 0.3 s to die on SIGTERM; s1 ignores it, so its stops wait out the 2 s grace
  // and end with SIGKILL; x is changed by every reload, extra added or removed by some.
  const mark = (n: number) => `sleep 3.${process.pid}${n}`;
  const slowToDie = (n: number) => `trap "sleep 0.3; exit 1" TERM; ${mark(n)} & wait`;
  const fixed = [
    commandMirror('c1', slowToDie(1)),
    commandMirror('c2', slowToDie(2)),
    commandMirror('c3', slowToDie(3)),
    commandMirror('c4', slowToDie(4)),
    commandMirror('s1', `trap "" TERM; ${mark(5)} & wait`),
    rsyncMirror('r1', upstream.url('r1'), 'rsync_options = ["--bwlimit=64"]'),
  ];
  const markers = [1, 2, 3, 4, 5, 6, 7].map(mark).concat(join(dir, 'data', 'r1'));
  const conf = join(dir, 'worker.conf');
  let variant = 0;
  let withExtra = true;
  const writeConf = async () => {
    const mirrors = [
      ...fixed,
      commandMirror('x', `${mark(6)} & wait${variant % 2 ? '; true' : ''}`),
      ...(withExtra ? [commandMirror('extra', `${mark(7)} & wait`)] : []),
    ];
    // Atomically: a reload reading the file meanwhile sees the old or the new one, whole.
    await writeFile(
      `${conf}.new`,
      workerConfText(dir, { managers: [manager.url], mirrors, concurrent: 4 }),
    );
    await rename(`${conf}.new`, conf);
  };
  await writeConf();
  const stateDir = join(dir, 'state');
  const watch = teardown.add(new RunWatch(markers), (w) => w.stop());
  const worker = teardown.add(
    await startWorkerProcess({ configFile: conf, stateDir, args: ['--with-systemd'] }),
    (w) => w.stop(),
  );
  await waitUntil('the first runs', () => pidsOf(markers).length > 0, 20_000);

  const mirrorWeights: [string, number][] = [
    ['c1', 3],
    ['c2', 3],
    ['c3', 3],
    ['c4', 3],
    ['s1', 1],
    ['r1', 3],
    ['x', 3],
    ['extra', 2],
    ['nope', 0.2],
    ['reload', 1.2],
  ];
  const inFlight = new Set<string>();
  /** The last command other than ping sent to each mirror (each mirror's are sequential). */
  const lastVerb = new Map<string, Verb>();
  const answers: (CmdAnswer & { what: string })[] = [];
  const failures: string[] = [];
  let sent = 0;
  let hangups = 0;
  const counts = new Map<string, number>();

  const lane = async () => {
    while (sent < TOTAL) {
      await new Promise((r) => setTimeout(r, random.below(250)));
      const free = mirrorWeights.filter(([key]) => !inFlight.has(key));
      if (free.length === 0 || sent >= TOTAL) continue;
      const key = random.weighted(free);
      sent++;
      if (sent % 40 === 0) {
        process.kill(worker.pid, 'SIGHUP');
        hangups++;
      }
      inFlight.add(key);
      let what: string;
      let expected: number[];
      let call: () => Promise<CmdAnswer>;
      if (key === 'reload') {
        variant++;
        withExtra = random.next() < 0.5;
        await writeConf();
        what = `reload (x variant ${variant % 2}, ${withExtra ? 'with' : 'without'} extra)`;
        expected = [200];
        call = () => manager.cmd('reload', '');
      } else {
        const verb = random.weighted(VERBS);
        what = `${verb} ${key}`;
        // extra exists or not depending on which reload came first; nope never exists.
        expected = key === 'extra' ? [200, 404] : key === 'nope' ? [404] : [200];
        if (verb !== 'ping') lastVerb.set(key, verb);
        call = () =>
          verb === 'force' ? manager.cmd('start', key, { force: true }) : manager.cmd(verb, key);
      }
      try {
        const answer = await call();
        answers.push({ ...answer, what });
        counts.set(String(answer.status), (counts.get(String(answer.status)) ?? 0) + 1);
        if (!expected.includes(answer.status)) {
          failures.push(`${what}: ${answer.status} ${answer.body}`);
        }
      } catch (err) {
        failures.push(`${what}: no answer: ${(err as Error).message}`);
      } finally {
        inFlight.delete(key);
      }
    }
  };
  const stormStart = Date.now();
  await Promise.all(Array.from({ length: LANES }, lane));
  const stormMs = Date.now() - stormStart;
  expect(failures).toEqual([]);
  expect(answers).toHaveLength(TOTAL);

  // Last, a reload that removes extra, then a stop of it: refused (404), and extra stays
  // `disabled` on the manager (it once turned `paused` there, and `flush` kept it forever).
  withExtra = false;
  await writeConf();
  expect((await manager.cmd('reload', '')).status).toBe(200);
  expect((await manager.cmd('stop', 'extra')).status).toBe(404);

  // At rest: every mirror as its last command left it, no process anywhere (every run that
  // was let alone ends in success), the worker's state file and the manager agree.
  const names = ['c1', 'c2', 'c3', 'c4', 's1', 'r1', 'x'];
  const wanted = (name: string) => {
    const verb = lastVerb.get(name);
    return verb === 'stop' ? 'paused' : verb === 'disable' ? 'disabled' : 'success';
  };
  const restStart = Date.now();
  let mismatch: string[] = [];
  await waitUntil(
    'manager and worker to agree at rest',
    async () => {
      const statuses = await manager.statusMap();
      const local = await readWorkerJobs(stateDir);
      mismatch = [];
      for (const name of names) {
        const there = statuses.get(name)?.status;
        const here = local[name]?.status;
        const want = wanted(name);
        if (there !== want || here !== want) {
          mismatch.push(`${name}: manager ${there}, worker ${here}, expected ${want}`);
        }
      }
      if (local.extra) mismatch.push('extra: still in the worker');
      if (statuses.get('extra')?.status !== 'disabled') {
        mismatch.push(`extra: removed, but the manager shows ${statuses.get('extra')?.status}`);
      }
      const left = pidsOf(markers);
      if (left.length > 0) mismatch.push(`processes left: ${left.join(' ')}`);
      return mismatch.length === 0;
    },
    90_000,
    200,
  ).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}:\n${mismatch.join('\n')}`);
  });
  const restMs = Date.now() - restStart;

  const report = watch.stop();
  expect(report.doubleRuns).toEqual([]);
  const times = answers.map((a) => a.ms).sort((a, b) => a - b);
  const max = times[times.length - 1] ?? 0;
  const slowest = answers.reduce((a, b) => (b.ms > a.ms ? b : a));
  process.stdout.write(
    [
      `command storm (seed ${random.seed}): ${answers.length} requests in ${(stormMs / 1000).toFixed(1)} s, ${hangups} SIGHUPs`,
      `  answers by status: ${[...counts].map(([s, n]) => `${s}×${n}`).join(' ')}`,
      `  answer time: p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms, max ${max.toFixed(1)} ms (${slowest.what})`,
      `  rest reached ${(restMs / 1000).toFixed(1)} s after the last command; ${report.samples} /proc samples, at most one run per job`,
      '',
    ].join('\n'),
  );
  expect(max).toBeLessThan(MANAGER_LIMIT_MS);
  expect(await worker.stop()).toBe(0);
});

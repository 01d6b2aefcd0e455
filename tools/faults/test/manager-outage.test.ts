import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MirrorStatus, WebMirrorStatus, WorkerStatus } from '@tunasync/api-types';
import {
  startManagerProcess,
  startWorkerProcess,
  type ManagerProcess,
  type WorkerProcess,
  waitUntil,
  commandMirror,
  writeWorkerConf,
} from '@tunasync/test-utils';
import { managerTransitions, statusesOf, workerTransitions } from '../src/transitions';
import { queuedReportBytes, readWorkerJobs, waitForDelivery } from '../src/worker-state';

/*
 * Issue #11, findings 9–11: the manager is down while syncs end, and comes back with an
 * empty database. Real processes: the built manager (restarted on the same port, each time
 * on a new empty LevelDB) and the built worker with `command` mirrors.
 */

const HEARTBEAT_S = 2;
/** How long the manager stays down after the last transition of the outage. */
const OUTAGE_TAIL_MS = 6000;

let dir: string;
let manager: ManagerProcess | undefined;
let worker: WorkerProcess | undefined;
let port = 0;
let stateDir: string;
let controlUrl: string;

async function startManager(): Promise<{ proc: ManagerProcess; upAt: number }> {
  const proc = await startManagerProcess(port === 0 ? {} : { args: ['--port', String(port)] });
  const upAt = Date.now();
  port = proc.port;
  manager = proc;
  return { proc, upAt };
}

async function stopManager(): Promise<void> {
  await manager?.stop();
  manager = undefined;
}

async function get<T>(route: string): Promise<T> {
  const answer = await fetch(`${(manager as ManagerProcess).url}${route}`);
  if (!answer.ok) throw new Error(`GET ${route}: HTTP ${answer.status}`);
  return (await answer.json()) as T;
}

/** A command sent straight to the worker's control server (the manager is down). */
async function control(cmd: string, mirror: string): Promise<void> {
  const answer = await fetch(controlUrl, {
    method: 'POST',
    body: JSON.stringify({ cmd, mirror_id: mirror, args: [], options: {} }),
  });
  expect(answer.status).toBe(200);
}

function report(figure: string): void {
  process.stdout.write(`[manager-outage] ${figure}\n`);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'faults-outage-'));
  stateDir = path.join(dir, 'state');
  await startManager();
  const configFile = await writeWorkerConf(dir, {
    managers: [(manager as ManagerProcess).url],
    heartbeatInterval: HEARTBEAT_S,
    mirrors: [
      commandMirror('quick', 'sleep 1; echo synced'),
      commandMirror('broken', 'sleep 1; exit 3'),
      commandMirror('held', 'echo synced'),
    ],
  });
  worker = await startWorkerProcess({ configFile, stateDir, args: ['--verbose'] });
  controlUrl = await worker.started();
  // Every mirror runs at start (no known status) and ends before the outage.
  await waitUntil(
    'the first runs on the manager',
    async () => {
      const jobs = await get<MirrorStatus[]>('/workers/w1/jobs');
      const by = new Map(jobs.map((j) => [j.name, j.status]));
      return (
        by.get('quick') === 'success' &&
        by.get('broken') === 'failed' &&
        by.get('held') === 'success'
      );
    },
    20_000,
  );
});

afterAll(async () => {
  await worker?.stop();
  await stopManager();
  await rm(dir, { recursive: true, force: true });
});

test('manager down while syncs end, back with an empty database: times kept, transitions in order, all delivered within 5 s, views agree', async () => {
  await waitUntil(
    'nothing queued before the outage',
    async () => (await queuedReportBytes(stateDir)) === 0,
    10_000,
  );
  await stopManager();
  const downAt = Date.now();
  const mark = (worker as WorkerProcess).output().length;

  await control('start', 'quick');
  await control('start', 'broken');
  await control('stop', 'held');
  const ended = await waitUntil(
    'the runs of the outage to end',
    async () => {
      const jobs = await readWorkerJobs(stateDir);
      const after = (name: string) => Date.parse(jobs[name]?.changed_at ?? '') > downAt;
      return jobs.quick?.status === 'success' &&
        after('quick') &&
        jobs.broken?.status === 'failed' &&
        after('broken') &&
        jobs.held?.status === 'paused'
        ? jobs
        : undefined;
    },
    20_000,
  );
  const outage = workerTransitions((worker as WorkerProcess).output().slice(mark));
  expect(await queuedReportBytes(stateDir)).toBeGreaterThan(0);
  // The manager stays down a while after the last sync ended.
  await new Promise((resolve) => setTimeout(resolve, OUTAGE_TAIL_MS));

  const { upAt } = await startManager(); // same port, a new empty database
  const deliveredAt = await waitForDelivery(stateDir);
  report(
    `queued reports: ${outage.length}; all delivered ${deliveredAt - upAt} ms after the manager answered /ping again`,
  );
  expect(deliveredAt - upAt).toBeLessThanOrEqual(5000);

  // Registered again, and every transition of the outage stored in order, then the
  // statuses re-sent after the re-registration.
  const workers = await get<WorkerStatus[]>('/workers');
  expect(workers.map((w) => w.id)).toEqual(['w1']);
  const stored = managerTransitions((manager as ManagerProcess).output());
  for (const name of ['quick', 'broken', 'held']) {
    const sent = statusesOf(outage, name);
    expect(sent.length).toBeGreaterThan(0);
    const got = statusesOf(stored, name);
    expect(got.slice(0, sent.length)).toEqual(sent);
    expect(new Set(got.slice(sent.length))).toEqual(new Set(sent.slice(-1)));
  }

  // Times: when the worker saw them, not when the manager came back.
  const jobs = new Map((await get<MirrorStatus[]>('/workers/w1/jobs')).map((j) => [j.name, j]));
  const quick = jobs.get('quick') as MirrorStatus;
  const broken = jobs.get('broken') as MirrorStatus;
  const syncEnd = Date.parse(ended.quick?.last_success as string);
  report(
    `quick: sync ended ${upAt - syncEnd} ms before the manager's return; last_update differs from it by ${Date.parse(quick.last_update) - syncEnd} ms`,
  );
  expect(quick.status).toBe('success');
  expect(Math.abs(Date.parse(quick.last_update) - syncEnd)).toBeLessThan(1000);
  expect(Math.abs(Date.parse(quick.last_ended) - syncEnd)).toBeLessThan(1000);
  expect(Date.parse(quick.last_started)).toBeGreaterThan(downAt);
  expect(Date.parse(quick.last_started)).toBeLessThan(syncEnd);
  expect(Date.parse(quick.last_update)).toBeLessThan(upAt - OUTAGE_TAIL_MS / 2);
  expect(broken.status).toBe('failed');
  expect(
    Math.abs(Date.parse(broken.last_ended) - Date.parse(ended.broken?.changed_at as string)),
  ).toBeLessThan(1000);
  expect(jobs.get('held')?.status).toBe('paused');

  // At rest, the manager's /jobs shows what the worker knows.
  const web = await get<WebMirrorStatus[]>('/jobs');
  const local = await readWorkerJobs(stateDir);
  expect(web.map((j) => [j.name, j.status]).sort()).toEqual(
    Object.entries(local)
      .map(([name, s]) => [name, s.status])
      .sort(),
  );
  const quickWeb = web.find((j) => j.name === 'quick') as WebMirrorStatus;
  expect(Math.abs(quickWeb.last_update_ts - Math.floor(syncEnd / 1000))).toBeLessThanOrEqual(1);
});

test('a quiet worker is reachable for /cmd again within one heartbeat after the manager lost its database', async () => {
  await stopManager();
  const { upAt } = await startManager(); // empty again; the worker has nothing to report
  const registeredAt = await waitUntil(
    'the worker registered again',
    async () =>
      (await get<WorkerStatus[]>('/workers')).some((w) => w.id === 'w1') ? Date.now() : undefined,
    (HEARTBEAT_S + 5) * 1000,
    20,
  );
  report(
    `quiet worker registered again ${registeredAt - upAt} ms after the manager's return (heartbeat ${HEARTBEAT_S} s)`,
  );
  expect(registeredAt - upAt).toBeLessThanOrEqual(HEARTBEAT_S * 1000 + 1500);

  const answer = await fetch(`${(manager as ManagerProcess).url}/cmd`, {
    method: 'POST',
    body: JSON.stringify({
      cmd: 'start',
      mirror_id: 'held',
      worker_id: 'w1',
      args: [],
      options: {},
    }),
  });
  expect(answer.status).toBe(200);
  await waitUntil(
    'held synced on the manager',
    async () =>
      (await get<MirrorStatus[]>('/workers/w1/jobs')).find((j) => j.name === 'held')?.status ===
      'success',
    15_000,
  );
  // Every mirror came back with its real time.
  const local = await readWorkerJobs(stateDir);
  const quick = (await get<MirrorStatus[]>('/workers/w1/jobs')).find((j) => j.name === 'quick');
  expect(
    Math.abs(Date.parse(quick?.last_update ?? '') - Date.parse(local.quick?.last_success ?? '')),
  ).toBeLessThan(1000);
});

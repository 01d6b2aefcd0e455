// `[server] drop_unseen_after` on the built manager (issue #18, point 5): a manager started
// on a database whose worker was last heard from longer ago than the setting drops that
// worker's statuses from /jobs at once (its registration stays); a worker heard from within
// it keeps its statuses. Real processes, a real LevelDB; margins of seconds either side.
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import {
  makeTempDir,
  removeTempDir,
  startManagerProcess,
  statusReport,
  waitUntil,
} from '@tunasync/test-utils';
import type { ManagerProcess } from '@tunasync/test-utils';

jest.setTimeout(60_000);

let work = '';
const running: ManagerProcess[] = [];

beforeAll(async () => {
  work = await makeTempDir('tunasync-e2e-unseen-');
});
afterAll(async () => {
  await Promise.all(running.map((m) => m.stop()));
  await removeTempDir(work);
});

async function post(m: ManagerProcess, path: string, body: unknown): Promise<number> {
  const res = await fetch(`${m.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.text();
  return res.status;
}

async function jobNames(m: ManagerProcess): Promise<string[]> {
  const res = await fetch(`${m.url}/jobs`);
  const jobs = (await res.json()) as Array<{ name: string }>;
  return jobs.map((j) => j.name).sort();
}

test('drops at start-up the statuses of a worker unseen for longer than drop_unseen_after, keeps the rest', async () => {
  const dbDir = join(work, 'db');
  const first = await startManagerProcess({ dbDir });
  running.push(first);
  for (const [id, mirror] of [['gone', 'debian']] as const) {
    expect(await post(first, '/workers', { id, url: `http://127.0.0.1:9/${id}/` })).toBe(200);
    expect(
      await post(first, `/workers/${id}/jobs/${mirror}`, statusReport(id, mirror, 'success')),
    ).toBe(200);
  }
  // `gone` is then silent for 6 s, longer than the 4 s of drop_unseen_after below; `fresh`
  // reports just before the restart.
  await delay(6000);
  expect(await post(first, '/workers', { id: 'fresh', url: 'http://127.0.0.1:9/fresh/' })).toBe(
    200,
  );
  expect(
    await post(first, '/workers/fresh/jobs/ubuntu', statusReport('fresh', 'ubuntu', 'success')),
  ).toBe(200);
  expect(await jobNames(first)).toEqual(['debian', 'ubuntu']);
  await first.stop();

  const second = await startManagerProcess({
    dbDir,
    config: '[server]\ndrop_unseen_after = 4\n',
  });
  running.push(second);
  await waitUntil(
    "the unseen worker's status dropped",
    async () => (await jobNames(second)).length === 1,
    10_000,
  );
  expect(await jobNames(second)).toEqual(['ubuntu']);
  const workers = (await (await fetch(`${second.url}/workers`)).json()) as Array<{ id: string }>;
  expect(workers.map((w) => w.id).sort()).toEqual(['fresh', 'gone']);
});

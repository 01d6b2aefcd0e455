import { join } from 'node:path';
import { TempDirs, startManagerProcess, statusReport } from '@tunasync/test-utils';
import type { ManagerProcess } from '@tunasync/test-utils';
import { seededRandom } from '../src/seeded-random';

/**
 * kill -9 of the manager during bursts of reports, 50 rounds (issue #11): registered workers
 * POST status reports as fast as they can, the manager is SIGKILLed at a random moment,
 * restarted on the same database; every report answered 2xx before the kill must be there
 * after the restart — the latest acknowledged one per mirror, or a newer one that was sent.
 * `FAULTS_SEED=<n>` replays a run.
 */

const ROUNDS = 50;
const WORKERS = ['w1', 'w2', 'w3', 'w4'];
const CLIENTS_PER_WORKER = 2;
const MIRRORS_PER_CLIENT = 3;
const STATUSES = ['syncing', 'success', 'failed'] as const;
const SEED = Number(process.env.FAULTS_SEED ?? 20261103);

const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

/** What was sent for one mirror: every report by its sequence number, and the newest acknowledged. */
interface MirrorLedger {
  worker: string;
  name: string;
  next: number;
  sent: Map<number, string>;
  acked: number;
}

interface Figures {
  acked: number;
  ackedTerminal: number;
  checks: number;
  lost: string[];
  unexpected: string[];
}

async function post(url: string, body: unknown): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  await res.arrayBuffer();
  return res.status;
}

/** One client: its mirrors in turn, one report at a time, until the manager is killed. */
async function client(
  url: string,
  mirrors: MirrorLedger[],
  pick: () => (typeof STATUSES)[number],
  killed: { now: boolean },
  figures: Figures,
): Promise<void> {
  for (let i = 0; !killed.now; i += 1) {
    const mirror = mirrors[i % mirrors.length] as MirrorLedger;
    const seq = (mirror.next += 1);
    const status = pick();
    mirror.sent.set(seq, status);
    const body = statusReport(mirror.worker, mirror.name, status, { error_msg: `seq ${seq}` });
    let code: number;
    try {
      code = await post(`${url}/workers/${mirror.worker}/jobs/${mirror.name}`, body);
    } catch (err) {
      if (!killed.now) figures.unexpected.push(`${mirror.name} seq ${seq}: ${String(err)}`);
      return;
    }
    if (code < 200 || code > 299) {
      figures.unexpected.push(`${mirror.name} seq ${seq}: HTTP ${code}`);
      return;
    }
    mirror.acked = seq;
    figures.acked += 1;
    if (status !== 'syncing') figures.ackedTerminal += 1;
  }
}

/** Every mirror's stored status must be its newest acknowledged report or a later one sent. */
async function check(m: ManagerProcess, ledgers: MirrorLedger[], figures: Figures): Promise<void> {
  const stored = new Map<string, { status: string; error_msg: string }>();
  for (const worker of WORKERS) {
    const res = await fetch(`${m.url}/workers/${worker}/jobs`);
    expect(res.status).toBe(200);
    for (const s of (await res.json()) as Array<{
      name: string;
      status: string;
      error_msg: string;
    }>) {
      stored.set(`${worker}/${s.name}`, s);
    }
  }
  for (const mirror of ledgers) {
    if (mirror.acked === 0) continue;
    figures.checks += 1;
    const status = stored.get(`${mirror.worker}/${mirror.name}`);
    const seq = Number(/^seq (\d+)$/.exec(status?.error_msg ?? '')?.[1] ?? NaN);
    const ok = seq >= mirror.acked && mirror.sent.get(seq) === status?.status;
    if (!ok) {
      figures.lost.push(
        `${mirror.worker}/${mirror.name}: acknowledged seq ${mirror.acked} (${mirror.sent.get(mirror.acked)}), stored ${JSON.stringify(status)}`,
      );
    }
  }
}

test(`kill -9 of the manager during bursts of reports, ${ROUNDS} rounds: no acknowledged report lost`, async () => {
  const random = seededRandom(SEED);
  const dbDir = join(await dirs.make('tunasync-kill-reports-'), 'db');
  const ledgers: MirrorLedger[] = [];
  const clients: MirrorLedger[][] = [];
  for (const worker of WORKERS) {
    for (let c = 0; c < CLIENTS_PER_WORKER; c += 1) {
      const mine = Array.from({ length: MIRRORS_PER_CLIENT }, (_, k) => ({
        worker,
        name: `m${c}-${k}`,
        next: 0,
        sent: new Map<number, string>(),
        acked: 0,
      }));
      ledgers.push(...mine);
      clients.push(mine);
    }
  }
  const figures: Figures = { acked: 0, ackedTerminal: 0, checks: 0, lost: [], unexpected: [] };
  const pick = () => STATUSES[Math.floor(random() * STATUSES.length)] as (typeof STATUSES)[number];
  const started = Date.now();

  for (let round = 1; round <= ROUNDS; round += 1) {
    const m = await startManagerProcess({ dbDir });
    try {
      if (round === 1) {
        for (const id of WORKERS) {
          expect(await post(`${m.url}/workers`, { id, url: 'http://127.0.0.1:1/' })).toBe(200);
        }
      } else {
        await check(m, ledgers, figures);
      }
      const killed = { now: false };
      const burst = clients.map((mine) => client(m.url, mine, pick, killed, figures));
      // A random moment of the burst: 50–650 ms after it began.
      await new Promise((r) => setTimeout(r, 50 + random() * 600));
      killed.now = true;
      m.child.kill('SIGKILL');
      await Promise.all(burst);
    } finally {
      await m.stop();
    }
  }
  const last = await startManagerProcess({ dbDir });
  try {
    await check(last, ledgers, figures);
  } finally {
    expect(await last.stop()).toBe(0);
  }

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `manager kill -9 during report bursts (seed ${SEED}): ${ROUNDS} rounds, ` +
      `${figures.acked} reports acknowledged (${figures.ackedTerminal} terminal), ` +
      `${figures.checks} latest-acknowledged checks after restarts, lost ${figures.lost.length}, ${seconds} s`,
  );
  expect(figures.unexpected).toEqual([]);
  expect(figures.lost).toEqual([]);
  // Enough happened for the check to mean something.
  expect(figures.acked).toBeGreaterThan(ROUNDS * 10);
});

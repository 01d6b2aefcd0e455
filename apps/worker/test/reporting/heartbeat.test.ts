import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { waitUntil } from '@tunasync/test-utils';
import { Heartbeat } from '../../src/reporting/heartbeat';
import { ManagerClient } from '../../src/reporting/manager-client';
import { ManagerOutbox } from '../../src/reporting/manager-outbox';
import { ManualClock } from '../helpers/manual-clock';
import { GIN_NOT_FOUND, TinyManager } from '../helpers/tiny-manager';
import { memoryLogger } from '../helpers/worker-fixture';

let tmp: string;
let manager: TinyManager;
const closers: (() => Promise<void>)[] = [];

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'worker-heartbeat-'));
  manager = await new TinyManager().start();
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await manager.stop();
  await rm(tmp, { recursive: true, force: true });
});

async function makeHeartbeat(registerAgain: () => Promise<void> = async () => undefined) {
  const clock = new ManualClock();
  const { logger, text } = memoryLogger();
  const lines = () => text().split('\n');
  const client = new ManagerClient({ apiBase: manager.url, workerId: 'w1' });
  const outbox = new ManagerOutbox({
    dir: path.join(tmp, 'box'),
    client,
    logger,
    clock,
    onUnknownWorker: registerAgain,
  });
  await outbox.start();
  const heartbeat = new Heartbeat({ client, outbox, intervalMs: 30_000, logger, clock });
  closers.push(async () => {
    await heartbeat.close();
    await outbox.close();
    await client.close();
  });
  return { clock, heartbeat, lines };
}

/** Polls `condition` until it holds (a deadline, never a fixed sleep). */
async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  await waitUntil('the condition', condition, timeoutMs, 2);
}

const urls = () => manager.received.map((r) => `${r.method} ${r.url}`);

test('one POST /workers/:id/heartbeat per interval, the next armed when a beat is over', async () => {
  const { clock, heartbeat } = await makeHeartbeat();
  heartbeat.start();
  expect(clock.pending()).toEqual([30_000]);
  clock.advance(29_999);
  expect(manager.received).toEqual([]);
  clock.advance(1);
  await until(() => clock.pending().length === 1);
  expect(urls()).toEqual(['POST /workers/w1/heartbeat']);
  clock.advance(30_000);
  await until(() => manager.received.length === 2);
  expect(urls()).toEqual(['POST /workers/w1/heartbeat', 'POST /workers/w1/heartbeat']);
});

test('a manager that does not know the worker makes the outbox register again', async () => {
  let registrations = 0;
  manager.respond = (req) =>
    req.url.endsWith('/heartbeat') && registrations === 0
      ? { status: 400, body: { error: 'invalid workerID w1' } }
      : undefined;
  const { heartbeat, lines } = await makeHeartbeat(async () => {
    registrations += 1;
  });
  await heartbeat.beat();
  expect(registrations).toBe(1);
  expect(lines()).toContain(
    `[WARN] heartbeat: manager ${manager.url} does not know this worker (invalid workerID w1); registering again`,
  );
  await heartbeat.beat();
  expect(registrations).toBe(1);
});

test('a Go manager (404 on the route) gets GET /workers/:id/jobs instead, from then on', async () => {
  manager.respond = (req) => {
    if (req.url.endsWith('/heartbeat')) return GIN_NOT_FOUND;
    return { status: 400, body: { error: 'invalid workerID w1' } };
  };
  let registrations = 0;
  const { heartbeat, lines } = await makeHeartbeat(async () => {
    registrations += 1;
  });
  await heartbeat.beat();
  await heartbeat.beat();
  expect(urls()).toEqual([
    'POST /workers/w1/heartbeat',
    'GET /workers/w1/jobs',
    'GET /workers/w1/jobs',
  ]);
  expect(heartbeat.usesFallback).toBe(true);
  // The fallback tells an unknown worker too.
  expect(registrations).toBe(2);
  expect(lines().filter((l) => l.includes('has no heartbeat route'))).toEqual([
    `[INFO] manager ${manager.url} has no heartbeat route (HTTP 404: 404 page not found); asking GET /workers/:id/jobs instead (a Go manager?)`,
  ]);
});

test('a manager that does not answer is a debug line, and the beats go on', async () => {
  const { clock, heartbeat, lines } = await makeHeartbeat();
  await manager.stop();
  heartbeat.start();
  clock.advance(30_000);
  await until(() => clock.pending().length === 1);
  expect(lines().filter((l) => l.startsWith('[DEBUG] heartbeat to'))).toHaveLength(1);
  expect(lines().filter((l) => l !== '' && !l.startsWith('[DEBUG]'))).toEqual([]);
});

test('close() leaves no timer, and start() after it does nothing', async () => {
  const { clock, heartbeat } = await makeHeartbeat();
  heartbeat.start();
  await heartbeat.close();
  expect(clock.pending()).toEqual([]);
  heartbeat.start();
  expect(clock.pending()).toEqual([]);
});

import type { MirrorStatusReport } from '@tunasync/api-types';
import type { Provider } from '@tunasync/core';
import { TempDirs } from '@tunasync/test-utils';
import type { ManagerOutbox } from '../../src/reporting/manager-outbox';
import { ReRegistration } from '../../src/runtime/re-registration';
import {
  loadConf,
  providerOf,
  reportingParts,
  type ReportingParts,
} from '../helpers/runtime-parts';
import { TinyManager } from '../helpers/tiny-manager';
import { commandMirror, waitFor } from '../helpers/worker-fixture';

jest.setTimeout(20_000);

const URL = 'http://127.0.0.1:6000/';
const dirs = new TempDirs();
let manager: TinyManager;
let parts: ReportingParts;
let providers: Provider[];
let halting: boolean;
let reRegistration: ReRegistration;

beforeEach(async () => {
  const dir = await dirs.make('re-registration-');
  manager = await new TinyManager().start();
  const { config } = await loadConf(dir, {
    managers: [manager.url],
    mirrors: commandMirror('debian', 'true') + commandMirror('ubuntu', 'true'),
  });
  providers = ['debian', 'ubuntu'].map((name) => providerOf(config, name));
  parts = await reportingParts(dir, manager);
  halting = false;
  reRegistration = new ReRegistration({
    reports: parts.reports,
    providers: () => providers,
    url: () => URL,
    halting: () => halting,
    logger: parts.logger,
  });
});
afterEach(async () => {
  await parts.close();
  await manager.stop();
  await dirs.cleanup();
});

const statusPosts = () =>
  manager.requests.filter((r) => /^\/workers\/w1\/jobs\/[^/]+$/.test(r.url));
const target = () => ({
  client: parts.reporter.clients[0]!,
  outbox: parts.reporter.outboxes[0] as ManagerOutbox,
});

it('registers again and re-sends every status with its age, then the schedule list', async () => {
  const observed = Date.now() - 60_000;
  parts.reports.records.set('debian', {
    status: 'success',
    error_msg: '',
    size: '2G',
    changed_at: new Date(observed).toISOString(),
  });
  parts.schedules.push({ name: 'ubuntu', at: new Date('2026-01-02T03:04:05Z') });
  const { client, outbox } = target();
  await reRegistration.registerAgain(client, outbox);
  expect(manager.requests[0]).toMatchObject({
    method: 'POST',
    url: '/workers',
    body: { id: 'w1', url: URL },
  });
  await waitFor('both statuses and the schedules', () => manager.requests.length === 4);
  const [debian, ubuntu] = statusPosts().map((r) => r.body as MirrorStatusReport);
  expect(debian).toMatchObject({ name: 'debian', status: 'success', size: '2G' });
  expect(debian?.observed_ago_ms).toBeGreaterThanOrEqual(60_000);
  expect(ubuntu).toMatchObject({ name: 'ubuntu', status: 'none' });
  expect(manager.requests[3]).toMatchObject({
    url: '/workers/w1/schedules',
    body: parts.reports.scheduleBody(),
  });
  expect(parts.log()).toContain(
    `registered again with ${manager.url}; re-sending the status of 2 mirror(s)`,
  );
});

it('sends every status to a manager registered with only after start-up', async () => {
  let registered: (ok: boolean) => void = () => undefined;
  const late = new Promise<boolean>((resolve) => (registered = resolve));
  reRegistration.sendAllOnLateRegistration([late], [false], [target()]);
  expect(statusPosts()).toHaveLength(0);
  registered(true);
  await waitFor('the statuses', () => statusPosts().length === 2);
  // No schedule list: there is none.
  await parts.reports.settle();
  await parts.reporter.drained(2000);
  expect(manager.requests.map((r) => r.url)).toEqual([
    '/workers/w1/jobs/debian',
    '/workers/w1/jobs/ubuntu',
  ]);
});

it('sends nothing for a manager registered in time, one that never registers, or while halting', async () => {
  reRegistration.sendAllOnLateRegistration(
    [Promise.resolve(true), Promise.resolve(false)],
    [true, false],
    [target(), target()],
  );
  halting = true;
  reRegistration.sendAllOnLateRegistration([Promise.resolve(true)], [false], [target()]);
  await new Promise((resolve) => setImmediate(resolve));
  await parts.reports.settle();
  await parts.reporter.drained(2000);
  expect(manager.requests).toHaveLength(0);
});

import path from 'node:path';
import type { Provider } from '@tunasync/core';
import { TempDirs } from '@tunasync/test-utils';
import { JobStateFile } from '../../src/runtime/job-state-file';
import {
  loadConf,
  providerOf,
  reportingParts,
  type ReportingParts,
} from '../helpers/runtime-parts';
import { TinyManager } from '../helpers/tiny-manager';
import { commandMirror, waitFor } from '../helpers/worker-fixture';

jest.setTimeout(20_000);

const dirs = new TempDirs();
let manager: TinyManager;
let parts: ReportingParts;
let dir: string;
let debian: Provider;

beforeEach(async () => {
  dir = await dirs.make('mirror-reports-');
  manager = await new TinyManager().start();
  const { config } = await loadConf(dir, {
    managers: [manager.url],
    mirrors: commandMirror('debian', 'true'),
  });
  debian = providerOf(config, 'debian');
  parts = await reportingParts(dir, manager);
});
afterEach(async () => {
  await parts.close();
  await manager.stop();
  await dirs.cleanup();
});

const posted = (url: string) => manager.requests.filter((r) => r.url === url);
const stateFile = () => path.join(dir, 'state');

it('reports each status to the manager and the listeners, and saves the records once begun', async () => {
  const { reports, stateFile: file } = parts;
  reports.send(debian, 'syncing', '');
  await waitFor('the syncing report', () => posted('/workers/w1/jobs/debian').length === 1);
  // Before start-up is done nothing is saved.
  await reports.settle();
  expect((await new JobStateFile(stateFile(), parts.logger).load()).size).toBe(0);

  reports.begin();
  reports.send(debian, 'failed', 'exit status 1', new Date('2026-01-02T03:04:05Z'));
  await reports.settle();
  const saved = await file.load();
  expect(saved.get('debian')).toEqual({
    status: 'failed',
    error_msg: 'exit status 1',
    changed_at: '2026-01-02T03:04:05.000Z',
  });
  expect(parts.reported.map((s) => [s.name, s.status, s.error_msg])).toEqual([
    ['debian', 'syncing', ''],
    ['debian', 'failed', 'exit status 1'],
  ]);
  await waitFor('the failed report', () => posted('/workers/w1/jobs/debian').length === 2);
});

it('keeps a meaningful size and the time of the last success from the job events', () => {
  const { reports } = parts;
  reports.records.set('debian', { status: 'syncing', error_msg: '' });
  const time = new Date('2026-01-02T03:04:05Z');
  reports.observe({ job: 'debian', status: 'success', time, size: '1.5G' });
  reports.observe({ job: 'debian', status: 'syncing', time, size: 'unknown' });
  expect(reports.records.get('debian')).toMatchObject({
    size: '1.5G',
    last_success: '2026-01-02T03:04:05.000Z',
  });
  // A mirror without a record is left alone.
  reports.observe({ job: 'other', status: 'success', time });
  expect(reports.records.has('other')).toBe(false);
});

it('posts the schedule list once per change, and none while halting', async () => {
  const { reports } = parts;
  parts.schedules.push({ name: 'debian', at: new Date('2026-01-02T03:04:05Z') });
  reports.queueSchedules();
  expect(posted('/workers/w1/schedules')).toHaveLength(0); // not before start-up is done
  reports.begin();
  reports.queueSchedules();
  reports.queueSchedules();
  await waitFor('the schedule list', () => posted('/workers/w1/schedules').length > 0);
  await reports.settle();
  await parts.reporter.drained(2000);
  expect(posted('/workers/w1/schedules')).toHaveLength(1);
  expect(posted('/workers/w1/schedules')[0]?.body).toEqual(reports.scheduleBody());
  expect(reports.scheduleBody().schedules[0]?.name).toBe('debian');

  parts.halting.value = true;
  reports.queueSchedules();
  await reports.settle();
  await parts.reporter.drained(2000);
  expect(posted('/workers/w1/schedules')).toHaveLength(1);
});

it('reports a dropped mirror as disabled and forgets it', async () => {
  const { reports } = parts;
  reports.records.set('debian', { status: 'success', error_msg: '', size: '2G' });
  reports.sendDropped(debian);
  expect(reports.records.has('debian')).toBe(false);
  expect(parts.reported).toMatchObject([{ name: 'debian', status: 'disabled', size: '2G' }]);
  await waitFor('the disabled report', () => posted('/workers/w1/jobs/debian').length === 1);
});

it('gives the recorded status with the time it was observed (or of the last success)', () => {
  const { reports } = parts;
  expect(reports.recordedStatus(debian)).toMatchObject({
    status: { name: 'debian', status: 'none' },
    seenAt: undefined,
  });
  reports.records.set('debian', {
    status: 'success',
    error_msg: '',
    last_success: '2026-01-02T03:04:05.000Z',
  });
  expect(reports.recordedStatus(debian).seenAt).toBe(Date.parse('2026-01-02T03:04:05Z'));
  reports.records.set('debian', {
    status: 'failed',
    error_msg: 'boom',
    changed_at: '2026-01-03T00:00:00.000Z',
  });
  expect(reports.recordedStatus(debian)).toMatchObject({
    status: { status: 'failed', error_msg: 'boom' },
    seenAt: Date.parse('2026-01-03T00:00:00Z'),
  });
  // Not reported: only a send is.
  expect(parts.reported).toHaveLength(0);
});

it('logs a write that fails instead of throwing, and settles all the same', async () => {
  // The outboxes are closed: enqueueing the report fails for real.
  await parts.reporter.close();
  parts.reports.send(debian, 'success', '');
  await parts.reports.settle();
  expect(parts.log()).toContain('cannot store the success report of debian');
});

import { ZERO_TIME_RFC3339, formatRfc3339, type MirrorStatus } from '@tunasync/api-types';
import { TempDirs } from '@tunasync/test-utils';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { JobStateFile } from '../../src/runtime/job-state-file';
import type { MirrorRecord } from '../../src/runtime/mirror-record';
import { planStartup } from '../../src/runtime/startup-plan';
import { memoryLogger } from '../helpers/worker-fixture';

const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

function status(
  name: string,
  s: MirrorStatus['status'],
  extra: Partial<MirrorStatus> = {},
): MirrorStatus {
  return {
    name,
    worker: 'w1',
    is_master: true,
    status: s,
    last_update: ZERO_TIME_RFC3339,
    last_started: ZERO_TIME_RFC3339,
    last_ended: ZERO_TIME_RFC3339,
    next_schedule: ZERO_TIME_RFC3339,
    upstream: 'u',
    size: 'unknown',
    error_msg: '',
    ...extra,
  };
}

test('the newest knowledge wins: outbox, then manager, then the local file', () => {
  const managerTime = new Date('2026-01-02T03:04:05Z');
  const localTime = new Date('2026-01-02T04:00:00Z');
  const plan = planStartup({
    names: ['queued', 'stored', 'local', 'new', 'cut'],
    pending: new Map([['queued', status('queued', 'paused', { size: '2G' })]]),
    managerStatuses: [
      status('queued', 'success'),
      status('stored', 'success', { last_update: formatRfc3339(managerTime), size: '1G' }),
      status('cut', 'pre-syncing'),
    ],
    local: new Map([
      ['stored', { status: 'success', error_msg: '', last_success: localTime.toISOString() }],
      ['local', { status: 'disabled', error_msg: '', size: '3G' }],
    ]),
  });
  expect(plan).toEqual([
    {
      name: 'queued',
      state: 'paused',
      status: 'paused',
      source: 'outbox',
      interrupted: false,
      lastUpdate: undefined,
      size: '2G',
    },
    {
      name: 'stored',
      state: 'none',
      status: 'success',
      source: 'manager',
      interrupted: false,
      lastUpdate: localTime,
      size: '1G',
    },
    {
      name: 'local',
      state: 'disabled',
      status: 'disabled',
      source: 'local',
      interrupted: false,
      lastUpdate: undefined,
      size: '3G',
    },
    {
      name: 'new',
      state: 'none',
      status: undefined,
      source: 'new',
      interrupted: false,
      lastUpdate: undefined,
      size: undefined,
    },
    {
      name: 'cut',
      state: 'none',
      status: 'pre-syncing',
      source: 'manager',
      interrupted: true,
      lastUpdate: undefined,
      size: undefined,
    },
  ]);
});

test('the state file survives a restart and ignores what it cannot read', async () => {
  const dir = await dirs.make('state-file-');
  const { logger, text } = memoryLogger();
  const file = new JobStateFile(dir, logger);
  expect(await file.load()).toEqual(new Map());
  const records = new Map<string, MirrorRecord>([
    ['a', { status: 'paused', error_msg: '', size: '1G' }],
  ]);
  await Promise.all([
    file.save(records),
    file.save(new Map([...records, ['b', { status: 'failed', error_msg: 'x' }]])),
  ]);
  await file.flushed();
  expect([...(await new JobStateFile(dir, logger).load()).keys()]).toEqual(['a', 'b']);

  await writeFile(
    path.join(dir, 'jobs.json'),
    '{"version":1,"mirrors":{"a":{"status":"bogus"},"b":{"status":"paused","error_msg":""}}}',
  );
  expect([...(await file.load()).keys()]).toEqual(['b']);
  await writeFile(path.join(dir, 'jobs.json'), '{torn');
  expect(await file.load()).toEqual(new Map());
  expect(text()).toContain('ignoring unreadable state file');
});

import { MirrorJob, Scheduler } from '@tunasync/core';
import { TempDirs } from '@tunasync/test-utils';
import type { WorkerConfig } from '../../src/config/worker-config';
import { ManagerClient } from '../../src/reporting/manager-client';
import type { JobEntry } from '../../src/runtime/job-entry';
import {
  applyStartupPlan,
  fetchManagerStatuses,
  interruptedMessage,
  waitFirstRegistration,
} from '../../src/runtime/start-up';
import type { StartupDecision } from '../../src/runtime/startup-plan';
import {
  loadConf,
  providerOf,
  reportingParts,
  type ReportingParts,
} from '../helpers/runtime-parts';
import { TinyManager } from '../helpers/tiny-manager';
import { commandMirror, memoryLogger } from '../helpers/worker-fixture';

jest.setTimeout(20_000);

const dirs = new TempDirs();
let manager: TinyManager;

beforeEach(async () => {
  manager = await new TinyManager().start();
});
afterEach(async () => {
  await manager.stop();
  await dirs.cleanup();
});

describe('waitFirstRegistration', () => {
  const never = new Promise<boolean>(() => undefined);

  it('answers what the first registration says, false without a manager', async () => {
    const signal = new AbortController().signal;
    await expect(waitFirstRegistration([], 1000, signal)).resolves.toBe(false);
    await expect(waitFirstRegistration([Promise.resolve(true), never], 1000, signal)).resolves.toBe(
      true,
    );
    await expect(waitFirstRegistration([Promise.resolve(false)], 1000, signal)).resolves.toBe(
      false,
    );
  });

  it('gives up after the wait, or at once when aborted', async () => {
    await expect(waitFirstRegistration([never], 20, new AbortController().signal)).resolves.toBe(
      false,
    );
    const abort = new AbortController();
    const waiting = waitFirstRegistration([never], 60_000, abort.signal);
    abort.abort();
    await expect(waiting).resolves.toBe(false);
  });
});

describe('fetchManagerStatuses', () => {
  let client: ManagerClient;
  beforeEach(() => {
    client = new ManagerClient({ apiBase: manager.url, workerId: 'w1' });
  });
  afterEach(async () => {
    await client.close();
  });

  it('reads the statuses the manager stores for this worker', async () => {
    const stored = [{ name: 'debian', status: 'success' }];
    manager.respond = (req) =>
      req.method === 'GET' && req.url === '/workers/w1/jobs'
        ? { status: 200, body: stored }
        : undefined;
    const { logger } = memoryLogger();
    await expect(fetchManagerStatuses(client, true, logger)).resolves.toEqual(stored);
  });

  it('falls back to the local state when the manager did not register or answers no list', async () => {
    const { logger, text } = memoryLogger();
    await expect(fetchManagerStatuses(client, false, logger)).resolves.toBeUndefined();
    expect(text()).toContain(`manager ${manager.url} did not answer at start-up`);
    expect(manager.received).toHaveLength(0);

    manager.respond = () => ({ status: 200, body: { not: 'a list' } });
    await expect(fetchManagerStatuses(client, true, logger)).resolves.toBeUndefined();
    expect(text()).toContain(
      `cannot fetch the stored statuses from ${manager.url}: the answer is not a list of statuses; starting from the local state file`,
    );
  });
});

describe('applyStartupPlan', () => {
  let parts: ReportingParts;
  let config: WorkerConfig;
  let scheduler: Scheduler<MirrorJob>;
  const entries = new Map<string, JobEntry>();

  beforeEach(async () => {
    const dir = await dirs.make('start-up-');
    ({ config } = await loadConf(dir, {
      managers: [manager.url],
      mirrors: ['fresh', 'broken', 'held', 'recent'].map((n) => commandMirror(n, 'true')).join(''),
    }));
    parts = await reportingParts(dir, manager);
    scheduler = new Scheduler<MirrorJob>({ onDue: () => undefined });
  });
  afterEach(async () => {
    scheduler.close();
    entries.clear();
    await parts.close();
  });

  function decision(name: string, d: Partial<StartupDecision>): StartupDecision {
    return {
      name,
      state: 'none',
      status: undefined,
      source: 'new',
      interrupted: false,
      lastUpdate: undefined,
      size: undefined,
      ...d,
    };
  }

  it('creates every job with its record, reports what the manager must learn, and schedules the runs', () => {
    const now = new Date('2026-01-02T12:00:00Z');
    const lastSuccess = new Date('2026-01-02T11:59:00Z'); // interval 60 min: next at 12:59
    applyStartupPlan(
      [
        decision('fresh', {}),
        decision('broken', { status: 'syncing', source: 'outbox', interrupted: true }),
        decision('held', { state: 'paused', status: 'paused', source: 'local' }),
        decision('recent', {
          status: 'success',
          source: 'manager',
          lastUpdate: lastSuccess,
          size: '2G',
        }),
      ],
      {
        mirrors: config.mirrors,
        addJob: (mirror, state) => {
          const job = new MirrorJob(providerOf(config, mirror.name), { state });
          const entry: JobEntry = { mirror, job, quiet: false, detach: () => undefined };
          entries.set(mirror.name, entry);
          return entry;
        },
        reports: parts.reports,
        scheduler,
        logger: parts.logger,
        now,
      },
    );
    expect([...entries.keys()]).toEqual(['fresh', 'broken', 'held', 'recent']);
    expect(entries.get('held')?.job.state).toBe('paused');
    expect(parts.reported.map((s) => [s.name, s.status, s.error_msg])).toEqual([
      ['broken', 'failed', interruptedMessage('broken', 'syncing')],
      ['held', 'paused', ''],
    ]);
    expect(parts.reports.records.get('recent')).toEqual({
      status: 'success',
      error_msg: '',
      size: '2G',
      last_success: lastSuccess.toISOString(),
    });
    expect(scheduler.list().map((e) => [e.name, e.at.toISOString()])).toEqual([
      ['fresh', now.toISOString()],
      ['broken', now.toISOString()],
      ['recent', '2026-01-02T12:59:00.000Z'],
    ]);
    expect(parts.log()).toContain(
      'broken was interrupted: the worker stopped while it was syncing',
    );
  });
});

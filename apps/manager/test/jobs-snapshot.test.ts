import { ZERO_TIME_RFC3339 } from '@tunasync/api-types';
import type { MirrorStatus, SyncStatus } from '@tunasync/api-types';
import { JobsSnapshot } from '../src/jobs-snapshot';
import { ManagerMetrics } from '../src/metrics';
import { StatusPage } from '../src/status-page';
import { TestClock } from './helpers';

function status(worker: string, name: string, state: SyncStatus, size = '1G'): MirrorStatus {
  return {
    name,
    worker,
    is_master: true,
    status: state,
    last_update: '2026-01-02T15:04:05+08:00',
    last_started: '2026-01-02T15:00:00+08:00',
    last_ended: ZERO_TIME_RFC3339,
    next_schedule: ZERO_TIME_RFC3339,
    upstream: `rsync://example.org/${name}/`,
    size,
    error_msg: '',
  };
}

/** What the body must be: every item rendered afresh, in order. */
function expected(snapshot: JobsSnapshot): string {
  return JSON.stringify(snapshot.ordered().map((s) => snapshot.webItem(s)));
}

describe('JobsSnapshot /jobs body, rendered per item', () => {
  test('stays the bytes of rendering every item afresh through puts, progress, renames and deletes', () => {
    const snapshot = new JobsSnapshot(
      [
        { workerId: 'w2', mirror: 'b', status: status('w2', 'b', 'success') },
        { workerId: 'w1', mirror: 'b', status: status('w1', 'b', 'success') },
        { workerId: 'w1', mirror: 'a', status: status('w1', 'a', 'failed') },
      ],
      [],
    );
    const check = () => {
      expect(snapshot.jobsBody().toString('utf8')).toBe(expected(snapshot));
    };
    check();
    expect(
      JSON.parse(snapshot.jobsBody().toString('utf8')).map((j: { name: string }) => j.name),
    ).toEqual(['a', 'b', 'b']);

    snapshot.apply({
      kind: 'status-put',
      workerId: 'w1',
      mirror: 'b',
      status: status('w1', 'b', 'syncing', '2G'),
    });
    check();
    expect(snapshot.setProgress('w1', 'b', { files: 7, bytes: 700, updated: new Date(0) })).toBe(
      true,
    );
    check();
    expect(snapshot.jobsBody().toString('utf8')).toContain('"progress_files":7');

    // A new mirror sorts in; a status stored under its key with another name moves.
    snapshot.apply({
      kind: 'status-put',
      workerId: 'w3',
      mirror: 'aa',
      status: status('w3', 'aa', 'success'),
    });
    check();
    snapshot.apply({
      kind: 'status-put',
      workerId: 'w1',
      mirror: 'a',
      status: status('w1', 'z', 'success'),
    });
    check();
    expect(
      JSON.parse(snapshot.jobsBody().toString('utf8')).map((j: { name: string }) => j.name),
    ).toEqual(['aa', 'b', 'b', 'z']);

    // A deleted worker takes its progress off the body.
    snapshot.apply({ kind: 'worker-delete', workerId: 'w1' });
    check();
    expect(snapshot.jobsBody().toString('utf8')).not.toContain('progress_files');

    snapshot.apply({ kind: 'status-delete', workerId: 'w2', mirror: 'b' });
    check();
    expect(snapshot.size).toBe(3);
  });

  test('an empty snapshot is an empty list, and the body is rendered once per change', () => {
    const snapshot = new JobsSnapshot([], []);
    expect(snapshot.jobsBody().toString('utf8')).toBe('[]');
    snapshot.jobsBody();
    expect(snapshot.renders).toBe(1);
    snapshot.apply({
      kind: 'status-put',
      workerId: 'w',
      mirror: 'm',
      status: status('w', 'm', 'success'),
    });
    expect(snapshot.jobsBody().toString('utf8')).toBe(expected(snapshot));
    expect(snapshot.renders).toBe(2);
  });
});

describe('/metrics and the status page, rendered per mirror', () => {
  test('stay what a fresh render (no kept lines or rows) gives, through reports, runs, progress and workers going offline', () => {
    const clock = new TestClock();
    const worker = (id: string) => ({
      id,
      url: 'http://127.0.0.1:1/',
      token: '',
      last_online: '2026-01-02T03:04:05Z',
      last_register: '2026-01-02T03:04:05Z',
    });
    const snapshot = new JobsSnapshot(
      [
        { workerId: 'w1', mirror: 'a', status: status('w1', 'a', 'success') },
        { workerId: 'w2', mirror: 'b', status: status('w2', 'b', 'failed') },
      ],
      [worker('w1'), worker('w2')],
    );
    const options = { snapshot, clock: clock.read, offlineAfterMs: 60_000 };
    const metrics = new ManagerMetrics(options);
    const pageOptions = { ...options, publicLogs: false, historySize: 50 };
    const page = new StatusPage(pageOptions);
    const check = () => {
      // A fresh one, told the same finished runs (only w1/a has any).
      const fresh = new ManagerMetrics(options);
      for (let i = 0; i < metrics.runsOf('w1', 'a').success; i += 1) {
        fresh.recordReport('syncing', status('w1', 'a', 'success'));
      }
      expect(metrics.text()).toBe(fresh.text());
      expect(page.html()).toBe(new StatusPage(pageOptions).html());
    };
    check();
    const syncing = status('w1', 'a', 'syncing', '3G');
    snapshot.apply({ kind: 'status-put', workerId: 'w1', mirror: 'a', status: syncing });
    check();
    snapshot.setProgress('w1', 'a', { files: 3, bytes: 3000, updated: new Date(0) });
    check();
    expect(metrics.text()).toContain('tunasync_mirror_progress_files{worker="w1",mirror="a"} 3');
    const done = status('w1', 'a', 'success', '4G');
    snapshot.apply({ kind: 'status-put', workerId: 'w1', mirror: 'a', status: done });
    metrics.recordReport('syncing', done);
    check();
    expect(metrics.text()).toContain(
      'tunasync_mirror_runs_total{worker="w1",mirror="a",result="success"} 1',
    );
    clock.advance(120_000); // both workers offline now
    check();
    expect(page.html()).toContain('w1 (offline)');
  });
});

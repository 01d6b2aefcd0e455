import { formatRfc3339 } from '@tunasync/api-types';
import { escapeLabelValue, formatSampleValue, METRICS_CONTENT_TYPE } from '../src/metrics';
import { registerWorker, report, useTestManagers } from './helpers';
import type { TestManager } from './helpers';

const { start } = useTestManagers();

async function send(t: TestManager, worker: string, name: string, status: string, size?: string) {
  const body = report(worker, name, status as never, size === undefined ? {} : { size });
  expect((await t.post(`/workers/${worker}/jobs/${name}`, body)).status).toBe(200);
}

interface Family {
  help: string;
  type: string;
  /** `name{labels}` → value text. */
  samples: Map<string, string>;
}

/**
 * Parses the text exposition strictly: every sample belongs to a family announced by
 * `# HELP` and `# TYPE` lines before it, each family appears once, and every line is well
 * formed. Throws on anything else, so a malformed page fails the test that reads it.
 */
function parseExposition(text: string): Map<string, Family> {
  expect(text.endsWith('\n')).toBe(true);
  const families = new Map<string, Family>();
  let current: string | undefined;
  for (const line of text.slice(0, -1).split('\n')) {
    const help = /^# HELP ([a-z_]+) (.+)$/.exec(line);
    const type = /^# TYPE ([a-z_]+) (gauge|counter)$/.exec(line);
    const sample = /^([a-z_]+)(\{(?:[a-z_]+="(?:[^"\\\n]|\\[\\"n])*",?)*\})? (\S+)$/.exec(line);
    if (help) {
      const name = help[1] as string;
      if (families.has(name)) throw new Error(`family ${name} announced twice`);
      families.set(name, { help: help[2] as string, type: '', samples: new Map() });
      current = name;
    } else if (type) {
      const family = current === undefined ? undefined : families.get(current);
      if (family === undefined || type[1] !== current) {
        throw new Error(`TYPE of ${type[1]} not after its HELP`);
      }
      family.type = type[2] as string;
    } else if (sample) {
      const name = sample[1] as string;
      if (name !== current || families.get(name)!.type === '') {
        throw new Error(`sample of ${name} outside its family: ${line}`);
      }
      const key = `${name}${sample[2] ?? ''}`;
      if (families.get(name)!.samples.has(key)) throw new Error(`duplicate series ${key}`);
      families.get(name)!.samples.set(key, sample[3] as string);
    } else {
      throw new Error(`malformed line: ${JSON.stringify(line)}`);
    }
  }
  return families;
}

async function scrape(t: TestManager): Promise<Map<string, Family>> {
  const r = await t.get('/metrics');
  expect(r.status).toBe(200);
  expect(r.headers['content-type']).toBe(METRICS_CONTENT_TYPE);
  return parseExposition(r.text);
}

function value(families: Map<string, Family>, series: string): string | undefined {
  const name = series.replace(/\{.*$/, '');
  return families.get(name)?.samples.get(series);
}

describe('GET /metrics', () => {
  test('an empty manager announces every family and counts no worker', async () => {
    const t = await start();
    const families = await scrape(t);
    expect([...families.keys()]).toEqual([
      'tunasync_mirror_status',
      'tunasync_mirror_up',
      'tunasync_mirror_last_success_timestamp_seconds',
      'tunasync_mirror_last_duration_seconds',
      'tunasync_mirror_size_bytes',
      'tunasync_mirror_progress_files',
      'tunasync_mirror_progress_bytes',
      'tunasync_mirror_runs_total',
      'tunasync_workers',
      'tunasync_worker_last_seen_timestamp_seconds',
      'tunasync_worker_online',
      'tunasync_mirror_stale',
    ]);
    expect(families.get('tunasync_mirror_runs_total')!.type).toBe('counter');
    expect(families.get('tunasync_workers')!.type).toBe('gauge');
    expect(value(families, 'tunasync_workers')).toBe('0');
    expect(families.get('tunasync_mirror_status')!.samples.size).toBe(0);
  });

  test('status, success time, duration, size and runs of each mirror', async () => {
    const t = await start();
    await registerWorker(t, 'w1');
    const started = t.clock.now.getTime();
    await send(t, 'w1', 'debian', 'pre-syncing');
    await send(t, 'w1', 'debian', 'syncing');
    t.clock.advance(90_500);
    await send(t, 'w1', 'debian', 'success', '1.5G');
    await send(t, 'w1', 'arch', 'failed');

    const f = await scrape(t);
    const debian = '{worker="w1",mirror="debian"}';
    const arch = '{worker="w1",mirror="arch"}';
    expect(value(f, 'tunasync_mirror_status{worker="w1",mirror="debian",status="success"}')).toBe(
      '1',
    );
    expect(value(f, 'tunasync_mirror_status{worker="w1",mirror="arch",status="failed"}')).toBe('1');
    // One series per mirror: the one of its current status.
    expect(f.get('tunasync_mirror_status')!.samples.size).toBe(2);
    expect(value(f, `tunasync_mirror_up${debian}`)).toBe('1');
    expect(value(f, `tunasync_mirror_up${arch}`)).toBe('0');
    expect(value(f, `tunasync_mirror_last_success_timestamp_seconds${debian}`)).toBe(
      String((started + 90_500) / 1000),
    );
    // arch never succeeded: no success time rather than year 1.
    expect(value(f, `tunasync_mirror_last_success_timestamp_seconds${arch}`)).toBeUndefined();
    expect(value(f, `tunasync_mirror_last_duration_seconds${debian}`)).toBe('90.5');
    expect(value(f, `tunasync_mirror_size_bytes${debian}`)).toBe(String(1.5e9));
    expect(value(f, `tunasync_mirror_size_bytes${arch}`)).toBeUndefined();
    expect(
      value(f, 'tunasync_mirror_runs_total{worker="w1",mirror="debian",result="success"}'),
    ).toBe('1');
    expect(
      value(f, 'tunasync_mirror_runs_total{worker="w1",mirror="debian",result="failed"}'),
    ).toBe('0');
    expect(value(f, 'tunasync_mirror_runs_total{worker="w1",mirror="arch",result="failed"}')).toBe(
      '1',
    );
  });

  test('a run is counted once: a repeated terminal report is not a second run', async () => {
    const t = await start();
    await registerWorker(t, 'w1');
    await send(t, 'w1', 'debian', 'success');
    await send(t, 'w1', 'debian', 'success'); // delivered twice (outbox retry)
    await send(t, 'w1', 'debian', 'syncing');
    await send(t, 'w1', 'debian', 'success');
    await send(t, 'w1', 'debian', 'failed');
    const f = await scrape(t);
    const series = (result: string) =>
      `tunasync_mirror_runs_total{worker="w1",mirror="debian",result="${result}"}`;
    expect(value(f, series('success'))).toBe('2');
    expect(value(f, series('failed'))).toBe('1');
  });

  test('no duration while a sync runs (last_ended is before last_started)', async () => {
    const t = await start();
    await registerWorker(t, 'w1');
    await send(t, 'w1', 'debian', 'success');
    t.clock.advance(60_000);
    await send(t, 'w1', 'debian', 'pre-syncing');
    const f = await scrape(t);
    expect(
      value(f, 'tunasync_mirror_last_duration_seconds{worker="w1",mirror="debian"}'),
    ).toBeUndefined();
    expect(value(f, 'tunasync_mirror_up{worker="w1",mirror="debian"}')).toBe('0');
  });

  test('workers: count, last seen and online by worker_offline_after', async () => {
    const t = await start({ workerOfflineAfter: 600 });
    await registerWorker(t, 'w1');
    const seen = t.clock.now;
    t.clock.advance(500_000);
    await registerWorker(t, 'w2');
    let f = await scrape(t);
    expect(value(f, 'tunasync_workers')).toBe('2');
    expect(value(f, 'tunasync_worker_last_seen_timestamp_seconds{worker="w1"}')).toBe(
      String(seen.getTime() / 1000),
    );
    expect(value(f, 'tunasync_worker_online{worker="w1"}')).toBe('1');
    t.clock.advance(200_000); // w1 last heard 700 s ago, w2 200 s ago
    f = await scrape(t);
    expect(value(f, 'tunasync_worker_online{worker="w1"}')).toBe('0');
    expect(value(f, 'tunasync_worker_online{worker="w2"}')).toBe('1');
    expect((await t.del('/workers/w1')).status).toBe(200);
    f = await scrape(t);
    expect(value(f, 'tunasync_workers')).toBe('1');
    expect(value(f, 'tunasync_worker_online{worker="w1"}')).toBeUndefined();
  });

  test('the mirror families are rendered once per change, not per scrape', async () => {
    const t = await start();
    await registerWorker(t, 'w1');
    await send(t, 'w1', 'debian', 'success');
    await scrape(t);
    const renders = t.app.metrics.renders;
    await scrape(t);
    await scrape(t);
    expect(t.app.metrics.renders).toBe(renders);
    await send(t, 'w1', 'debian', 'syncing');
    const f = await scrape(t);
    expect(t.app.metrics.renders).toBe(renders + 1);
    expect(value(f, 'tunasync_mirror_status{worker="w1",mirror="debian",status="syncing"}')).toBe(
      '1',
    );
    // A schedule changes the snapshot too; the scrape shows the new state at once.
    await t.post('/workers/w1/schedules', {
      schedules: [{ name: 'debian', next_schedule: formatRfc3339(t.clock.now) }],
    });
    await scrape(t);
    expect(t.app.metrics.renders).toBe(renders + 2);
  });

  test('progress gauges only for syncing mirrors with progress, gone with the next status', async () => {
    const t = await start();
    await registerWorker(t, 'w1');
    await send(t, 'w1', 'debian', 'syncing');
    await send(t, 'w1', 'arch', 'syncing'); // syncing, no progress posted yet
    await send(t, 'w1', 'fedora', 'success');
    const progress = { name: 'debian', files: 1234, bytes: 6_012_954_214 };
    expect((await t.post('/workers/w1/jobs/debian/progress', progress)).status).toBe(200);
    let f = await scrape(t);
    expect(f.get('tunasync_mirror_progress_files')!.type).toBe('gauge');
    expect(f.get('tunasync_mirror_progress_bytes')!.type).toBe('gauge');
    expect([...f.get('tunasync_mirror_progress_files')!.samples]).toEqual([
      ['tunasync_mirror_progress_files{worker="w1",mirror="debian"}', '1234'],
    ]);
    expect([...f.get('tunasync_mirror_progress_bytes')!.samples]).toEqual([
      ['tunasync_mirror_progress_bytes{worker="w1",mirror="debian"}', '6012954214'],
    ]);
    await send(t, 'w1', 'debian', 'success');
    f = await scrape(t);
    expect(f.get('tunasync_mirror_progress_files')!.samples.size).toBe(0);
    expect(f.get('tunasync_mirror_progress_bytes')!.samples.size).toBe(0);
  });

  test('public even when a token protects the mutating routes; other methods are 405', async () => {
    const t = await start({ token: 's3cret' });
    const f = await scrape(t);
    expect(value(f, 'tunasync_workers')).toBe('0');
    const r = await t.post('/metrics', {}, { authorization: 'Bearer s3cret' });
    expect(r.status).toBe(405);
    expect(r.json).toEqual({ error: expect.stringContaining('POST') });
  });

  test('survives a restart: statuses come back from the store, run counters start again', async () => {
    const t = await start();
    await registerWorker(t, 'w1');
    await send(t, 'w1', 'debian', 'success', '10M');
    const dbDir = t.dbDir;
    await t.close();
    const f = await scrape(await start({}, { dbDir }));
    expect(value(f, 'tunasync_mirror_size_bytes{worker="w1",mirror="debian"}')).toBe(String(10e6));
    expect(
      value(f, 'tunasync_mirror_runs_total{worker="w1",mirror="debian",result="success"}'),
    ).toBe('0');
  });
});

describe('exposition helpers', () => {
  test('label values escape backslash, double quote and newline', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(escapeLabelValue('debian-security')).toBe('debian-security');
  });

  test('sample values', () => {
    expect(formatSampleValue(3)).toBe('3');
    expect(formatSampleValue(1767323045.123)).toBe('1767323045.123');
    expect(formatSampleValue(Number.NaN)).toBe('NaN');
    expect(formatSampleValue(Infinity)).toBe('+Inf');
    expect(formatSampleValue(-Infinity)).toBe('-Inf');
  });
});

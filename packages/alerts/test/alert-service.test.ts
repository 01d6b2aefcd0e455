import { join } from 'node:path';
import { Redis } from 'ioredis';
import { formatRfc3339, ZERO_TIME_RFC3339 } from '@tunasync/api-types';
import type { AlertRuleConfigFile, MirrorStatus, RunResult } from '@tunasync/api-types';
import { LevelStore, RedisStore } from '@tunasync/store';
import type { Store } from '@tunasync/store';
import { TempDirs, startRedisServer } from '@tunasync/test-utils';
import type { RedisServer } from '@tunasync/test-utils';
import { AlertService, parseAlertRules } from '../src/index';
import type { AlertPayload, AlertServiceOptions } from '../src/index';
import { startReceiver } from './receiver';
import type { Receiver } from './receiver';

const dirs = new TempDirs();
const T0 = Date.parse('2026-03-01T00:00:00Z');

/** A clock the test moves by hand. */
function manualClock() {
  let now = T0;
  return {
    clock: () => new Date(now),
    advance: (ms: number) => (now += ms),
    now: () => now,
  };
}

function rules(tables: AlertRuleConfigFile[]) {
  const parsed = parseAlertRules(tables, 'manager.conf');
  expect(parsed.problems).toEqual([]);
  return parsed.rules;
}

function status(worker: string, name: string, extra: Partial<MirrorStatus>): MirrorStatus {
  return {
    name,
    worker,
    is_master: true,
    status: 'none',
    last_update: ZERO_TIME_RFC3339,
    last_started: ZERO_TIME_RFC3339,
    last_ended: ZERO_TIME_RFC3339,
    next_schedule: ZERO_TIME_RFC3339,
    upstream: 'rsync://up/x/',
    size: '',
    error_msg: '',
    ...extra,
  };
}

/** One run of a mirror as the manager stores it: syncing, then its result at `at`. */
async function run(store: Store, mirror: string, result: RunResult, at: number, worker = 'w1') {
  const time = formatRfc3339(new Date(at));
  await store.updateMirrorStatus(
    worker,
    mirror,
    (current) => ({
      ...(current ?? status(worker, mirror, {})),
      status: 'syncing',
      last_started: time,
    }),
    { history: 50 },
  );
  await store.updateMirrorStatus(
    worker,
    mirror,
    (current) => ({
      ...(current as MirrorStatus),
      status: result,
      last_ended: time,
      ...(result === 'success'
        ? { last_update: time, error_msg: '' }
        : { error_msg: `boom ${at}` }),
    }),
    { history: 50 },
  );
}

type Payload = AlertPayload;

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
});
afterAll(() => dirs.cleanup());

async function levelStore(): Promise<Store> {
  return LevelStore.open({ location: join(await dirs.make('alerts-svc-'), 'db') });
}

function start(
  store: Store,
  extra: Partial<AlertServiceOptions> & Pick<AlertServiceOptions, 'rules'>,
) {
  return AlertService.start({ store, tickMs: 0, ...extra });
}

describe('AlertService on a real LevelDB store', () => {
  test('three failures then a success: exactly the configured failed, and one recovered', async () => {
    const store = await levelStore();
    const c = manualClock();
    const service = await start(store, {
      clock: c.clock,
      rules: rules([
        { name: 'two', events: ['failed', 'recovered'], after_failures: 2, webhook: receiver.url },
        { name: 'one', events: ['failed'], mirrors: ['deb*'], webhook: receiver.url },
        { name: 'other', events: ['failed'], mirrors: ['ubuntu'], webhook: receiver.url },
      ]),
    });
    try {
      for (let i = 1; i <= 3; i += 1) await run(store, 'debian', 'failed', T0 + i * 1000);
      await run(store, 'debian', 'success', T0 + 4000);
      // A finishing report delivered twice is one run.
      await store.updateMirrorStatus('w1', 'debian', (s) => ({ ...(s as MirrorStatus) }));
      await service.tick();
      const got = (receiver.bodies() as Payload[]).map((p) => [
        p.rule,
        p.events[0]?.event,
        p.events[0]?.consecutive_failures,
      ]);
      expect(got.sort()).toEqual(
        [
          ['one', 'failed', 1],
          ['two', 'failed', 2],
          ['two', 'recovered', 3],
        ].sort(),
      );
      const first = (receiver.bodies() as Payload[]).find((p) => p.rule === 'two')!;
      expect(first).toMatchObject({ version: 1, kind: 'event' });
      expect(first.events[0]).toMatchObject({
        worker: 'w1',
        mirror: 'debian',
        error: `boom ${T0 + 2000}`,
      });
      const listed = await service.recent(10);
      expect(listed.map((a) => a.state)).toEqual(['sent', 'sent', 'sent']);
    } finally {
      await service.close();
      await store.close();
    }
  });

  test('a receiver failing first: retried after the back-off, then sent; visible meanwhile', async () => {
    await receiver.close();
    receiver = await startReceiver([500, 502]);
    const store = await levelStore();
    const c = manualClock();
    const service = await start(store, {
      clock: c.clock,
      rules: rules([{ name: 'ops', events: ['failed'], retries: 3, webhook: receiver.url }]),
    });
    try {
      await run(store, 'debian', 'failed', T0);
      await service.tick();
      expect(receiver.received).toHaveLength(1);
      let [view] = await service.recent(1);
      expect(view).toMatchObject({
        state: 'pending',
        attempts: 1,
        last_error: expect.stringMatching(/HTTP 500/),
      });
      await service.tick(); // not due yet: nothing sent
      expect(receiver.received).toHaveLength(1);
      c.advance(5000);
      await service.tick();
      expect(receiver.received).toHaveLength(2);
      c.advance(10_000);
      await service.tick();
      [view] = await service.recent(1);
      expect(view).toMatchObject({ state: 'sent', attempts: 3, last_error: '' });
      const ids = receiver.received.map((r) => r.headers['x-tunasync-alert']);
      expect(new Set(ids).size).toBe(1);
      expect(service.metricsText()).toContain(
        'tunasync_alert_delivery_failures_total{event="failed",sink="webhook"} 2',
      );
      expect(service.metricsText()).toContain(
        'tunasync_alerts_sent_total{event="failed",sink="webhook"} 1',
      );
    } finally {
      await service.close();
      await store.close();
    }
  });

  test('stored before sending: a restart delivers a pending alert once, and never again', async () => {
    const dir = join(await dirs.make('alerts-restart-'), 'db');
    let store: Store = await LevelStore.open({ location: dir });
    const c = manualClock();
    const url = receiver.url;
    await receiver.close(); // the receiver is down: the alert stays pending
    const options = {
      clock: c.clock,
      rules: rules([{ name: 'ops', events: ['failed' as const], webhook: url }]),
    };
    let service = await start(store, options);
    await run(store, 'debian', 'failed', T0);
    await service.tick();
    expect((await service.recent(5)).map((a) => [a.state, a.attempts])).toEqual([['pending', 1]]);
    await service.close();
    await store.close();

    receiver = await startReceiver();
    // The new receiver is on another port: point the rule there (the alert is the same).
    const moved = rules([{ name: 'ops', events: ['failed'], webhook: receiver.url }]);
    for (let round = 0; round < 2; round += 1) {
      store = await LevelStore.open({ location: dir });
      service = await start(store, { clock: c.clock, rules: moved });
      c.advance(5000);
      await service.tick();
      await service.close();
      await store.close();
    }
    expect(receiver.received).toHaveLength(1);
    expect((JSON.parse(receiver.received[0]!.body) as Payload).events[0]?.mirror).toBe('debian');
  });

  test('throttle: one alert per mirror per window, the rest stored and sent as one digest at its end, also across a restart', async () => {
    const dir = join(await dirs.make('alerts-throttle-'), 'db');
    let store: Store = await LevelStore.open({ location: dir });
    const c = manualClock();
    const ruleSet = rules([
      { name: 'ops', events: ['failed', 'recovered'], throttle: 3600, webhook: receiver.url },
    ]);
    let service = await start(store, { clock: c.clock, rules: ruleSet });
    const kinds = () =>
      (receiver.bodies() as Payload[]).map((p) => [
        p.kind,
        p.events.map((e) => `${e.mirror}:${e.event}`),
      ]);
    try {
      await run(store, 'debian', 'failed', T0);
      await run(store, 'debian', 'success', T0 + 1);
      await run(store, 'debian', 'failed', T0 + 2);
      await run(store, 'ubuntu', 'failed', T0 + 3);
      await service.tick();
      expect(kinds()).toEqual([
        ['event', ['debian:failed']],
        ['event', ['ubuntu:failed']],
      ]);
      expect((await service.recent(10)).map((a) => a.state).sort()).toEqual([
        'pending',
        'pending',
        'sent',
        'sent',
      ]);
      // A restart within the window: what was held back is stored, and goes out at its end.
      await service.close();
      await store.close();
      store = await LevelStore.open({ location: dir });
      service = await start(store, { clock: c.clock, rules: ruleSet });
      c.advance(3599_000);
      await service.tick();
      expect(receiver.received).toHaveLength(2);
      c.advance(1000);
      await service.tick();
      expect(kinds()[2]).toEqual(['digest', ['debian:recovered', 'debian:failed']]);
      expect(receiver.bodies()).toHaveLength(3);
      expect((receiver.bodies()[2] as Payload).summary).toMatch(/^2 event\(s\) held back/);
      // The digest opened a new window: a failure now is held again.
      await run(store, 'debian', 'success', c.now() + 1);
      await service.tick();
      expect(receiver.received).toHaveLength(3);
      c.advance(3600_000);
      await service.tick();
      expect(kinds()[3]).toEqual(['digest', ['debian:recovered']]);
      expect(service.metricsText()).toContain(
        'tunasync_alerts_sent_total{event="digest",sink="webhook"} 2',
      );
    } finally {
      await service.close();
      await store.close();
    }
  });

  test('stale once per last success (the shared stale rule); worker offline, then online', async () => {
    const store = await levelStore();
    const c = manualClock();
    const hour = 3600_000;
    const iso = (ms: number) => formatRfc3339(new Date(ms));
    // Interval 1 h (next_schedule − last_ended), so stale after 3 h without a success.
    await store.putMirrorStatus(
      'w1',
      'debian',
      status('w1', 'debian', {
        status: 'success',
        last_update: iso(T0),
        last_ended: iso(T0),
        next_schedule: iso(T0 + hour),
      }),
    );
    await store.putWorker({
      id: 'w1',
      url: 'http://127.0.0.1:1/',
      token: '',
      last_online: iso(T0),
      last_register: iso(T0),
    });
    const service = await start(store, {
      clock: c.clock,
      offlineAfterMs: 10 * 60_000,
      rules: rules([
        {
          name: 'ops',
          events: ['stale', 'worker-offline', 'worker-online'],
          webhook: receiver.url,
        },
      ]),
    });
    try {
      const events = () => (receiver.bodies() as Payload[]).map((p) => p.events[0]?.event);
      c.advance(5 * 60_000);
      await service.tick();
      expect(events()).toEqual([]);
      c.advance(6 * 60_000);
      await service.tick();
      await service.tick();
      expect(events()).toEqual(['worker-offline']);
      await store.refreshWorker('w1', iso(c.now()));
      await service.tick();
      expect(events()).toEqual(['worker-offline', 'worker-online']);
      c.advance(3 * hour);
      await store.refreshWorker('w1', iso(c.now()));
      await service.tick();
      await service.tick();
      expect(events()).toEqual(['worker-offline', 'worker-online', 'stale']);
      expect((receiver.bodies()[2] as Payload).events[0]).toMatchObject({
        mirror: 'debian',
        last_success: iso(T0),
      });
    } finally {
      await service.close();
      await store.close();
    }
  });

  test('a test event goes through one rule at once; an unknown rule is a coded error', async () => {
    const store = await levelStore();
    const service = await start(store, {
      rules: rules([
        { name: 'ops', webhook: receiver.url },
        { name: 'down', exec: ['/nonexistent/x'] },
      ]),
    });
    try {
      expect(await service.test('ops')).toMatchObject({ state: 'sent', rule: 'ops' });
      expect((receiver.bodies()[0] as Payload).events[0]).toMatchObject({ test: true });
      expect(await service.test('down')).toMatchObject({
        state: 'failed',
        last_error: expect.stringMatching(/ENOENT/),
      });
      await expect(service.test('nope')).rejects.toMatchObject({
        code: 'TUNASYNC_E_ALERT_UNKNOWN_RULE',
      });
    } finally {
      await service.close();
      await store.close();
    }
  });
});

describe('AlertService: several managers on one Redis', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    const admin = new Redis(server.url());
    await admin.flushall();
    await admin.quit();
    await server.stop();
  });

  test('every manager derives the event, exactly one sends each alert', async () => {
    const stores = await Promise.all([0, 1, 2].map(() => RedisStore.open({ url: server.url() })));
    const c = manualClock();
    const ruleSet = rules([
      { name: 'ops', events: ['failed', 'recovered'], webhook: receiver.url },
    ]);
    const services = await Promise.all(
      stores.map((store) => start(store, { clock: c.clock, rules: ruleSet })),
    );
    try {
      const writer = stores[0] as Store;
      await run(writer, 'debian', 'failed', T0);
      await run(writer, 'debian', 'success', T0 + 1000);
      // Each manager hears the changes (pub/sub), derives and stores the same alerts.
      for (
        let i = 0;
        i < 50 &&
        (await Promise.all(stores.map((s) => s.getMirrorStatus('w1', 'debian')))).some(
          (s) => s?.status !== 'success',
        );
        i += 1
      ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      await Promise.all(services.map((s) => s.tick()));
      await Promise.all(services.map((s) => s.tick()));
      const got = (receiver.bodies() as Payload[]).map((p) => p.events[0]?.event);
      expect(got.sort()).toEqual(['failed', 'recovered']);
      expect((await writer.listAlerts()).map((a) => a.state)).toEqual(['sent', 'sent']);
    } finally {
      await Promise.all(services.map((s) => s.close()));
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});

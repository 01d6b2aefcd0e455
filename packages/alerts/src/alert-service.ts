import { randomUUID } from 'node:crypto';
import { formatRfc3339, silentLogger } from '@tunasync/api-types';
import type { Logger, StaleAfter } from '@tunasync/api-types';
import type { AlertRecord, Store, StoreChange } from '@tunasync/store';
import { ALERT_SCHEMA_VERSION, eventSubject, payloadSummary } from './alert-event';
import type { AlertEvent, AlertPayload } from './alert-event';
import { AlertMetrics } from './alert-metrics';
import { ruleMatches } from './alert-rule';
import type { AlertRule } from './alert-rule';
import type { AlertSink } from './alert-sink';
import { createSink } from './create-sink';
import { ALERT_ERRORS } from './errors';
import { EventTracker } from './event-tracker';
import { Throttle } from './throttle';

export interface AlertServiceOptions {
  store: Store;
  rules: readonly AlertRule[];
  logger?: Logger;
  /** The manager's clock. */
  clock?: () => Date;
  /** The stale rule (`stale_after`); default `'auto'`. */
  staleAfter?: StaleAfter;
  /** `worker_offline_after` in milliseconds; 0: no worker events. */
  offlineAfterMs?: number;
  /** How often sweeps and deliveries run (ms); 0: never by itself (tests call `tick`). */
  tickMs?: number;
  /** The sink of a rule; default `createSink` (with `ca`). */
  sinkFor?: (rule: AlertRule) => AlertSink;
  /** PEM of a CA the sinks trust (`files.ca_cert`). */
  ca?: string;
  /** How long one manager holds a claimed alert while delivering it (ms); default 5 min. */
  leaseMs?: number;
  /** Delivered or given-up alerts kept for `GET /alerts`; default 500. */
  keep?: number;
}

/** One alert as `GET /alerts` lists it (the manager README). */
export interface AlertView {
  id: string;
  rule: string;
  event: string;
  summary: string;
  created: string;
  state: AlertRecord['state'];
  attempts: number;
  last_error: string;
  next_attempt: string;
  settled: string;
}

/** The id part of a held-back alert: `<rule>|held/<subject>/<opener>|<event id>`. */
const HELD = 'held/';

/** The digest group of a held-back alert's id (all but its last part), else undefined. */
function heldGroup(id: string): string | undefined {
  const bar = id.indexOf('|');
  if (!id.startsWith(HELD, bar + 1)) return undefined;
  return id.slice(0, id.lastIndexOf('|'));
}

/** The digest of the held-back alerts of one window. */
function digestPayload(group: string, rule: string, records: readonly AlertRecord[]): AlertPayload {
  const events = records
    .flatMap((r) => (JSON.parse(r.payload) as AlertPayload).events)
    .sort((x, y) => Date.parse(x.time) - Date.parse(y.time));
  return {
    version: ALERT_SCHEMA_VERSION,
    id: group,
    rule,
    kind: 'digest',
    summary: payloadSummary({ kind: 'digest', events }),
    events,
  };
}

/** Seconds before the n-th retry: 5, 10, 20, … at most 10 minutes. */
export function retryDelayMs(attempts: number): number {
  return Math.min(5000 * 2 ** Math.max(0, attempts - 1), 600_000);
}

/**
 * The manager's alerts: derives events from the store's changes (`EventTracker`), passes
 * them through the rules and the throttle, stores each alert before delivering it, and
 * delivers what is pending (claimed atomically, so several managers on one store send each
 * alert once), retrying with back-off.
 */
export class AlertService {
  readonly metrics = new AlertMetrics();
  private readonly store: Store;
  private readonly rules: ReadonlyMap<string, AlertRule>;
  private readonly sinks = new Map<string, AlertSink>();
  private readonly logger: Logger;
  private readonly clock: () => Date;
  private readonly tracker: EventTracker;
  private readonly throttle = new Throttle();
  private readonly owner = randomUUID();
  private readonly leaseMs: number;
  private readonly keep: number;
  private chain: Promise<unknown> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed: Promise<void> | undefined;
  private pending = 0;

  private constructor(options: AlertServiceOptions) {
    this.store = options.store;
    this.rules = new Map(options.rules.map((rule) => [rule.name, rule]));
    this.logger = (options.logger ?? silentLogger).child({ component: 'alerts' });
    this.clock = options.clock ?? (() => new Date());
    this.tracker = new EventTracker({
      staleAfter: options.staleAfter ?? 'auto',
      offlineAfterMs: options.offlineAfterMs ?? 0,
    });
    this.leaseMs = options.leaseMs ?? 300_000;
    this.keep = options.keep ?? 500;
    const sinkFor =
      options.sinkFor ??
      ((rule: AlertRule) => createSink(rule, options.ca === undefined ? {} : { ca: options.ca }));
    for (const rule of options.rules) this.sinks.set(rule.name, sinkFor(rule));
  }

  /**
   * Reads the current state from the store, follows its changes, and starts ticking.
   * Without rules it only lists what is stored (nothing is followed, no timer runs).
   */
  static async start(options: AlertServiceOptions): Promise<AlertService> {
    const service = new AlertService(options);
    if (options.rules.length === 0) return service;
    await service.seed();
    const tickMs = options.tickMs ?? 5000;
    if (tickMs > 0) {
      service.timer = setInterval(() => void service.tick(), tickMs);
      service.timer.unref();
    }
    void service.tick();
    return service;
  }

  private async seed(): Promise<void> {
    const [entries, workers] = await Promise.all([
      this.store.listAllMirrorStatusEntries(),
      this.store.listWorkers(),
    ]);
    // Failed runs in a row, from the run history (1 for a failed mirror without one).
    const seeded = await Promise.all(
      entries.map(async (e) => {
        if (e.status.status !== 'failed') return { ...e, failures: 0 };
        const runs = await this.store.listRunHistory(e.workerId, e.mirror, 1000);
        const streak = runs.findIndex((r) => r.result !== 'failed');
        return { ...e, failures: Math.max(1, streak === -1 ? runs.length : streak) };
      }),
    );
    this.tracker.seed(seeded, workers);
    this.unsubscribe = this.store.onChange((change) => this.changed(change));
  }

  /** Runs `work` after everything queued before it; a failure is logged, never thrown. */
  private serial(work: () => Promise<void>): Promise<void> {
    const next = this.chain.then(work).catch((err: unknown) => {
      this.logger.error(`alerts: ${(err as Error).message}`);
    });
    this.chain = next;
    return next;
  }

  private changed(change: StoreChange): void {
    if (this.closed) return;
    const events = this.tracker.observe(change, this.clock());
    if (events.length === 0) return;
    void this.serial(async () => {
      await this.enqueue(events);
      await this.deliverDue();
    });
  }

  /** One sweep (stale, offline, digests due) and one delivery round. */
  tick(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.serial(async () => {
      const now = this.clock();
      await this.enqueue(this.tracker.sweep(now));
      this.throttle.prune(now.getTime());
      await this.deliverDue();
    });
  }

  private async enqueue(events: readonly AlertEvent[]): Promise<void> {
    const now = this.clock().getTime();
    for (const event of events) {
      this.logger.info(
        `event ${event.event}: ${payloadSummary({ kind: 'event', events: [event] })}`,
      );
      for (const rule of this.rules.values()) {
        if (!ruleMatches(rule, event)) continue;
        const subject = eventSubject(event);
        const verdict = this.throttle.admit(rule.name, subject, event.id, rule.throttleMs, now);
        if (!verdict.send) {
          // Stored too, due when the window ends: sent then with the others as one digest.
          this.logger.info(`alert of ${event.id} through ${rule.name} held back by the throttle`);
          await this.storeAlert(
            rule,
            `${HELD}${subject}/${verdict.opener}|${event.id}`,
            'event',
            [event],
            verdict.until,
          );
          continue;
        }
        await this.storeAlert(rule, event.id, 'event', [event]);
      }
    }
  }

  /** Stores one alert (once: its id is deterministic); true when it was new. */
  private async storeAlert(
    rule: AlertRule,
    what: string,
    kind: AlertPayload['kind'],
    events: AlertEvent[],
    dueMs = 0,
  ): Promise<AlertRecord> {
    const id = `${rule.name}|${what}`;
    const payload: AlertPayload = {
      version: ALERT_SCHEMA_VERSION,
      id,
      rule: rule.name,
      kind,
      summary: payloadSummary({ kind, events }),
      events,
    };
    const record: AlertRecord = {
      id,
      rule: rule.name,
      event: kind === 'digest' ? 'digest' : (events[0]?.event ?? ''),
      created: formatRfc3339(this.clock()),
      payload: JSON.stringify(payload),
      state: 'pending',
      attempts: 0,
      next_attempt_ms: dueMs,
      claimed_by: '',
      claimed_until_ms: 0,
      last_error: '',
      settled: '',
    };
    await this.store.addAlert(record);
    return record;
  }

  /** Delivers every pending alert that is due and not held by another manager. */
  private async deliverDue(): Promise<void> {
    const all = await this.store.listAlerts();
    const now = this.clock().getTime();
    this.pending = all.filter((a) => a.state === 'pending').length;
    // Held-back alerts of one window (one group) go out together, as one digest.
    const groups = new Map<string, string[]>();
    for (const alert of all) {
      if (alert.state !== 'pending' || alert.next_attempt_ms > now) continue;
      const group = heldGroup(alert.id) ?? alert.id;
      groups.set(group, [...(groups.get(group) ?? []), alert.id]);
    }
    for (const [group, ids] of groups) await this.attempt(group, ids, false);
    const settled = all.filter((a) => a.state !== 'pending');
    if (settled.length > this.keep) {
      await this.store.deleteAlerts(settled.slice(0, settled.length - this.keep).map((a) => a.id));
    }
    this.pending = (await this.store.listAlerts()).filter((a) => a.state === 'pending').length;
  }

  /**
   * Claims and tries the alerts `ids` (one, or the held-back ones of one window: then one
   * digest `group`); `once`: no retry (a test). The first record after the attempt.
   */
  private async attempt(group: string, ids: string[], once: boolean): Promise<void> {
    const nowMs = this.clock().getTime();
    const claim = { owner: this.owner, nowMs, leaseMs: this.leaseMs };
    const claimed: AlertRecord[] = [];
    for (const id of ids) {
      const record = await this.store.claimAlert(id, claim);
      if (record !== undefined) claimed.push(record);
    }
    const [first] = claimed;
    if (first === undefined) return;
    const rule = this.rules.get(first.rule);
    const sink = this.sinks.get(first.rule);
    const attempts = Math.max(...claimed.map((r) => r.attempts)) + 1;
    const digest = heldGroup(first.id) !== undefined;
    let error = '';
    if (rule === undefined || sink === undefined) {
      error = `the rule ${first.rule} is no longer configured`;
    } else {
      try {
        await sink.deliver(
          digest
            ? digestPayload(group, rule.name, claimed)
            : (JSON.parse(first.payload) as AlertPayload),
        );
      } catch (err) {
        error = (err as Error).message;
      }
    }
    const settledAt = formatRfc3339(this.clock());
    const sinkKind = sink?.kind ?? 'none';
    const event = digest ? 'digest' : first.event;
    const final = error !== '' && (once || rule === undefined || attempts > rule.retries);
    const outcome =
      error === ''
        ? {
            state: 'sent' as const,
            attempts,
            next_attempt_ms: 0,
            last_error: '',
            settled: settledAt,
          }
        : {
            state: final ? ('failed' as const) : ('pending' as const),
            attempts,
            next_attempt_ms: final ? 0 : this.clock().getTime() + retryDelayMs(attempts),
            last_error: error,
            settled: final ? settledAt : ('' as const),
          };
    if (error === '') {
      this.metrics.recordSent(event, sinkKind);
      this.logger.info(`alert ${group} sent by ${sinkKind}`);
      if (digest && rule !== undefined) {
        const subject = (JSON.parse(first.payload) as AlertPayload).events[0];
        if (subject !== undefined) {
          this.throttle.renew(
            rule.name,
            eventSubject(subject),
            group,
            rule.throttleMs,
            this.clock().getTime(),
          );
        }
      }
    } else {
      this.metrics.recordFailure(event, sinkKind, final);
      const then = final
        ? 'given up'
        : `retry ${attempts} of ${rule?.retries ?? 0} in ${retryDelayMs(attempts) / 1000} s`;
      (final ? this.logger.error : this.logger.warn).call(
        this.logger,
        `alert ${group} not delivered (${then}): ${error}`,
      );
    }
    for (const record of claimed) await this.store.settleAlert(record.id, this.owner, outcome);
  }

  /** The newest alerts first, at most `limit`. */
  async recent(limit: number): Promise<AlertView[]> {
    const all = await this.store.listAlerts();
    return all
      .slice(-limit)
      .reverse()
      .map((a) => {
        let summary = '';
        try {
          summary = (JSON.parse(a.payload) as AlertPayload).summary;
        } catch {
          summary = '';
        }
        return {
          id: a.id,
          rule: a.rule,
          event: a.event,
          summary,
          created: a.created,
          state: a.state,
          attempts: a.attempts,
          last_error: a.last_error,
          next_attempt:
            a.state === 'pending' && a.next_attempt_ms > 0
              ? formatRfc3339(new Date(a.next_attempt_ms))
              : '',
          settled: a.settled,
        };
      });
  }

  /** The rules' names, in configuration order. */
  ruleNames(): string[] {
    return [...this.rules.keys()];
  }

  /**
   * Sends a test event through one rule at once (stored like any alert, tried once): the
   * record after the attempt (`state` `sent` or `failed`, with `last_error`).
   */
  async test(name: string): Promise<AlertView> {
    const rule = this.rules.get(name);
    if (rule === undefined)
      throw ALERT_ERRORS.unknownRule(name, this.ruleNames().join(', ') || '(none configured)');
    const now = this.clock();
    const event: AlertEvent = {
      id: `test/${formatRfc3339(now)}/${randomUUID()}`,
      event: [...rule.events][0] ?? 'failed',
      time: formatRfc3339(now),
      worker: 'test-worker',
      mirror: 'test-mirror',
      error: 'a test alert (tunasynctl alerts test)',
      consecutive_failures: rule.afterFailures,
      test: true,
    };
    let view: AlertView | undefined;
    await this.serial(async () => {
      const record = await this.storeAlert(rule, event.id, 'event', [event]);
      await this.attempt(record.id, [record.id], true);
      view = (await this.recent(Number.MAX_SAFE_INTEGER)).find((a) => a.id === record.id);
    });
    if (view === undefined)
      throw ALERT_ERRORS.unknownRule(name, this.ruleNames().join(', ') || '(none configured)');
    return view;
  }

  /** `/metrics` families of the alerts. */
  metricsText(): string {
    return this.metrics.text(this.pending);
  }

  /** Stops following the store and ticking, waits for running work, closes the sinks. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      clearInterval(this.timer);
      this.unsubscribe?.();
      await this.chain.catch(() => undefined);
      await Promise.allSettled([...this.sinks.values()].map((s) => s.close()));
    })();
    return this.closed;
  }
}

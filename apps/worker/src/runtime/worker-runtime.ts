import { mkdir, readFile, rm } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import {
  formatRfc3339,
  type Logger,
  type MirrorSchedule,
  type MirrorSchedules,
  type MirrorStatus,
  type SyncStatus,
} from '@tunasync/api-types';
import {
  ConcurrencyGate,
  MirrorJob,
  Scheduler,
  type Clock,
  type JobState,
  type JobStatusEvent,
  type Provider,
} from '@tunasync/core';
import { createProvider } from '@tunasync/providers';
import { loadWorkerConfig } from '../config/load-worker-config';
import type { MirrorConfig, WorkerConfig } from '../config/worker-config';
import { ControlServer } from '../control/control-server';
import type { JobCommandVerb, QueuedCommand, WorkerCommands } from '../control/worker-commands';
import { ReloadError, UnknownMirrorError, WorkerConfigError, WorkerHaltedError } from '../errors';
import type { BackoffOptions } from '../reporting/backoff';
import type { ManagerClient } from '../reporting/manager-client';
import type { ManagerOutbox } from '../reporting/manager-outbox';
import type { ProbeOptions } from '../reporting/probe-wait';
import { ProgressReporter } from '../reporting/progress-reporter';
import { Reporter } from '../reporting/reporter';
import { JobStateFile } from './job-state-file';
import { diffMirrors, type MirrorDiff } from './mirror-diff';
import { meaningfulSize, type MirrorRecord } from './mirror-record';
import { buildMirrorStatus } from './mirror-status';
import { ProgressTicker } from './progress-ticker';
import { registerWithRetry } from './registration';
import { RUN_TOKEN_ENV, reapLeftoverRuns, writeRunRecord } from './run-records';
import { CommandLanes } from './command-lanes';
import { SerialLock } from './serial-lock';
import { planStartup } from './startup-plan';

export interface WorkerRuntimeOptions {
  /** The loaded worker.conf. */
  config: WorkerConfig;
  /** The file a reload re-reads (default `config.file`). */
  configFile?: string;
  /** `--strict`: a reloaded file with unknown keys is refused. */
  strict?: boolean;
  /** Outboxes, the job-state file and the run records live here. */
  stateDir: string;
  logger: Logger;
  /** How long start-up waits for the first manager before it uses the local state (default 10 s). */
  registerWaitMs?: number;
  /** How long a halt waits for the final statuses to reach the managers (default 10 s). */
  haltDeliveryMs?: number;
  /** Back-off of retries after an HTTP error (default 1 s doubling to 10 s). */
  backoff?: BackoffOptions;
  /** Probes while a manager does not answer (default every 1 s, each within 2 s). */
  probe?: ProbeOptions;
  /** Milliseconds between two heartbeats, instead of `[manager] heartbeat_interval` seconds (tests). */
  heartbeatIntervalMs?: number;
  /** Timeout of each request to a manager (default 10 s). */
  managerTimeoutMs?: number;
  /** Time between SIGTERM and SIGKILL when a run is stopped (default 2 s). */
  killGraceMs?: number;
  /**
   * Milliseconds between two progress posts of a syncing mirror, instead of
   * `[global] progress_interval` seconds (tests); 0 turns progress off.
   */
  progressIntervalMs?: number;
  /** The timers of the live-progress ticks (default: the system clock; tests inject one). */
  progressClock?: Clock;
}

/** Listener of every status report the worker makes (diagnostics, tests). */
export type ReportListener = (status: MirrorStatus) => void;

interface JobEntry {
  readonly mirror: MirrorConfig;
  readonly job: MirrorJob;
  /** Events of this job are not reported (it is being replaced or dropped by a reload). */
  quiet: boolean;
  readonly detach: () => void;
  /** Polls the provider's progress while the job is `syncing` (§7.9). */
  ticker: ProgressTicker | undefined;
}

async function readTls(config: WorkerConfig): Promise<{ cert: Buffer; key: Buffer } | undefined> {
  const { ssl_cert: cert, ssl_key: key } = config.server;
  if (!cert || !key) return undefined;
  return { cert: await readFile(cert), key: await readFile(key) };
}

function interruptedMessage(name: string, status: SyncStatus | undefined): string {
  return `${name} was interrupted: the worker stopped while it was ${status ?? 'syncing'}`;
}

/**
 * The worker (SPEC §4): one job per mirror on a shared concurrency gate and scheduler,
 * every status change reported to every manager through the durable outboxes, the
 * control server's commands, reload (§4.6) and halt. Start-up (§4.2) terminates what a
 * previous life left running, registers, and plans every mirror from the newest known
 * status. Commands of one mirror are applied one after another; start-up, reload and halt
 * exclude every command (see the README).
 */
export class WorkerRuntime implements WorkerCommands {
  /** Resolves once the worker has halted. */
  readonly finished: Promise<void>;
  private config: WorkerConfig;
  private readonly logger: Logger;
  /** One lane per mirror for its commands; start-up, reload and halt are worker-wide. */
  private readonly lanes = new CommandLanes();
  /** Reloads read their file one after another, in the order they were asked for. */
  private readonly reloadReads = new SerialLock();
  /** The configuration of the last accepted reload: what the queued commands will meet. */
  private acceptedConfig: WorkerConfig;
  private readonly abort = new AbortController();
  private readonly jobs = new Map<string, JobEntry>();
  private readonly records = new Map<string, MirrorRecord>();
  private readonly gate: ConcurrencyGate;
  private readonly scheduler: Scheduler<MirrorJob>;
  private readonly reporter: Reporter;
  private readonly progress: ProgressReporter;
  private readonly stateFile: JobStateFile;
  private readonly control: ControlServer;
  private readonly listeners = new Set<ReportListener>();
  private readonly writes = new Set<Promise<unknown>>();
  private runRecord: { token: string; file: string } | undefined;
  private registrations: Promise<boolean>[] = [];
  private schedulesQueued = false;
  private started = false;
  private halting: Promise<void> | undefined;
  private resolveFinished: () => void = () => undefined;
  private url = '';

  private constructor(
    private readonly options: WorkerRuntimeOptions,
    tls: { cert: Buffer; key: Buffer } | undefined,
    ca: Buffer | undefined,
  ) {
    this.config = options.config;
    this.acceptedConfig = options.config;
    this.logger = options.logger.child({ worker: options.config.global.name });
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
    this.gate = new ConcurrencyGate(this.config.global.concurrent);
    this.scheduler = new Scheduler<MirrorJob>({
      onDue: (job) => this.onDue(job),
      logger: this.logger,
    });
    this.stateFile = new JobStateFile(options.stateDir, this.logger);
    this.reporter = new Reporter({
      stateDir: options.stateDir,
      apiBases: this.config.manager.api_base_list,
      workerId: this.config.global.name,
      ...(ca ? { ca } : {}),
      ...(this.config.manager.token !== undefined ? { token: this.config.manager.token } : {}),
      ...(options.managerTimeoutMs !== undefined ? { timeoutMs: options.managerTimeoutMs } : {}),
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(options.probe ? { probe: options.probe } : {}),
      heartbeatIntervalMs:
        options.heartbeatIntervalMs ?? this.config.manager.heartbeat_interval * 1000,
      logger: this.logger,
      onUnknownWorker: (client, outbox) => this.registerAgain(client, outbox),
    });
    this.progress = new ProgressReporter({
      clients: this.reporter.clients,
      logger: this.logger.child({ component: 'progress' }),
    });
    this.control = new ControlServer({
      commands: this,
      logger: this.logger.child({ component: 'control' }),
      ...(this.config.manager.token !== undefined ? { token: this.config.manager.token } : {}),
      ...(tls ? { tls } : {}),
      host: this.config.server.listen_addr,
      port: this.config.server.listen_port,
    });
  }

  /** Starts a worker (SPEC §4.2); rejects, with everything released, when it cannot. */
  /** Creates and boots a runtime (see `create` and `boot`). */
  static async start(options: WorkerRuntimeOptions): Promise<WorkerRuntime> {
    const runtime = await WorkerRuntime.create(options);
    await runtime.boot();
    return runtime;
  }

  /** A runtime ready to `boot()`: certificates read, nothing running yet. */
  static async create(options: WorkerRuntimeOptions): Promise<WorkerRuntime> {
    const ca = options.config.manager.ca_cert
      ? await readFile(options.config.manager.ca_cert)
      : undefined;
    return new WorkerRuntime(options, await readTls(options.config), ca);
  }

  /**
   * Start-up of SPEC §4.2 (which may wait for the first manager). A `halt()` meanwhile
   * cuts it short. On failure everything started is halted and the error thrown.
   */
  async boot(): Promise<void> {
    try {
      await this.startUp();
    } catch (err) {
      await this.halt();
      throw err;
    }
  }

  /** The control URL registered with the managers (`http://host:port/`). */
  get controlUrl(): string {
    return this.url;
  }

  /** The current configuration (changes on reload). */
  get currentConfig(): WorkerConfig {
    return this.config;
  }

  /** The job of a mirror (diagnostics and tests). */
  job(name: string): MirrorJob | undefined {
    return this.jobs.get(name)?.job;
  }

  /** Every pending schedule entry, earliest first. */
  schedules(): { name: string; at: Date }[] {
    return this.scheduler.list().map((e) => ({ name: e.name, at: e.at }));
  }

  /** Calls `listener` with every status report made from now on; returns the unsubscribe. */
  onReport(listener: ReportListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- start-up (SPEC §4.2) ----

  private async startUp(): Promise<void> {
    await this.lanes.runExclusive(async () => {
      const { stateDir } = this.options;
      await mkdir(stateDir, { recursive: true, mode: 0o700 });
      await reapLeftoverRuns(stateDir, this.logger, {
        ...(this.options.killGraceMs !== undefined ? { graceMs: this.options.killGraceMs } : {}),
      });
      this.runRecord = await writeRunRecord(stateDir);
      const local = await this.stateFile.load();
      const port = await this.control.start();
      this.url = `${this.control.protocol}://${this.config.server.hostname}:${port}/`;
      await this.reporter.start();
      const pending = new Map<string, MirrorStatus>();
      for (const report of this.reporter.outboxes[0]?.pendingReports() ?? []) {
        pending.set(report.name, report);
      }

      this.registrations = this.reporter.clients.map((client) =>
        registerWithRetry(client, this.url, {
          signal: this.abort.signal,
          logger: this.logger,
          ...(this.options.backoff ? { backoff: this.options.backoff } : {}),
          ...(this.options.probe ? { probe: this.options.probe } : {}),
        }),
      );
      const registered = this.registrations.map(() => false);
      this.registrations.forEach((r, i) => void r.then((ok) => (registered[i] = ok)));
      const first = await this.waitFirstRegistration();
      if (this.abort.signal.aborted) return;
      let managerStatuses: MirrorStatus[] | undefined;
      const firstClient = this.reporter.clients[0] as ManagerClient;
      if (first) {
        try {
          const answer: unknown = await firstClient.listJobs();
          if (!Array.isArray(answer)) throw new Error('the answer is not a list of statuses');
          managerStatuses = answer as MirrorStatus[];
        } catch (err) {
          this.logger.warn(
            `cannot fetch the stored statuses from ${firstClient.apiBase}: ${(err as Error).message}; starting from the local state file`,
          );
        }
      } else {
        this.logger.warn(
          `manager ${firstClient.apiBase} did not answer at start-up; starting from the local state file (registration goes on in the background)`,
        );
      }
      this.applyStartupPlan(managerStatuses, pending, local);
      this.sendAllOnLateRegistration(registered);
      this.started = true;
      this.persist();
      this.queueSchedules();
      this.reporter.startHeartbeats();
      this.logger.info(
        `worker started with ${this.jobs.size} mirror(s); control server at ${this.url}`,
      );
    });
  }

  private async waitFirstRegistration(): Promise<boolean> {
    const first = this.registrations[0];
    if (!first) return false;
    const waitMs = this.options.registerWaitMs ?? 10_000;
    const timeout = delay(waitMs, false, { signal: this.abort.signal }).catch(() => false);
    return Promise.race([first, timeout]);
  }

  private applyStartupPlan(
    managerStatuses: MirrorStatus[] | undefined,
    pending: Map<string, MirrorStatus>,
    local: Map<string, MirrorRecord>,
  ): void {
    const decisions = planStartup({
      names: this.config.mirrors.map((m) => m.name),
      managerStatuses,
      pending,
      local,
    });
    const now = new Date();
    for (const decision of decisions) {
      const mirror = this.config.mirrors.find((m) => m.name === decision.name) as MirrorConfig;
      const entry = this.addJob(mirror, this.makeProvider(mirror, this.config), decision.state);
      const record: MirrorRecord = { status: decision.status ?? 'none', error_msg: '' };
      if (decision.size !== undefined) record.size = decision.size;
      if (decision.lastUpdate) record.last_success = decision.lastUpdate.toISOString();
      this.records.set(mirror.name, record);
      if (decision.interrupted) {
        const message = interruptedMessage(mirror.name, decision.status);
        this.logger.warn(message, { mirror: mirror.name });
        this.send(entry, 'failed', message);
      } else if (decision.source === 'local' && decision.state !== 'none') {
        // The manager does not know it yet: tell it the mirror is still paused/disabled.
        this.send(entry, decision.state, '');
      }
      if (decision.state !== 'none') continue;
      let at = now;
      if (!decision.interrupted && decision.lastUpdate) {
        at = entry.job.nextRunAfter(decision.lastUpdate);
        if (at.getTime() < now.getTime()) at = now;
      }
      this.logger.debug(`${mirror.name} scheduled at ${formatRfc3339(at)}`, {
        mirror: mirror.name,
      });
      this.scheduler.add(entry.job, at);
    }
  }

  /**
   * A manager registered with only after the start-up plan was made (it did not answer in
   * time) may not have this worker's statuses (it may have lost its database meanwhile, and
   * it now knows the worker again): it gets every status, as after `invalid workerID`.
   */
  private sendAllOnLateRegistration(registered: boolean[]): void {
    this.registrations.forEach((registration, i) => {
      const client = this.reporter.clients[i];
      const outbox = this.reporter.outboxes[i];
      if (registered[i] || !client || !outbox) return;
      void registration.then((ok) => {
        if (!ok || this.halting) return;
        this.logger.info(
          `registered with ${client.apiBase} after start-up; sending the status of ${this.jobs.size} mirror(s)`,
        );
        this.track(this.enqueueEveryStatus(outbox), `the statuses for ${client.apiBase}`);
      });
    });
  }

  /**
   * A manager lost this worker (SPEC §4.2.3): register again and re-send every status, each
   * with the time the worker observed it (so a success keeps its real end time).
   */
  private async registerAgain(client: ManagerClient, outbox: ManagerOutbox): Promise<void> {
    await client.register(this.url);
    this.logger.info(
      `registered again with ${client.apiBase}; re-sending the status of ${this.jobs.size} mirror(s)`,
    );
    await this.enqueueEveryStatus(outbox);
  }

  /** Every mirror's current status (observed times kept) and the schedule list, into `outbox`. */
  private async enqueueEveryStatus(outbox: ManagerOutbox): Promise<void> {
    for (const entry of this.jobs.values()) {
      const record = this.records.get(entry.mirror.name);
      const status = record?.status ?? 'none';
      const seen = record?.changed_at ?? (status === 'success' ? record?.last_success : undefined);
      await outbox.enqueueStatus(
        buildMirrorStatus(
          this.config.global.name,
          entry.job.provider,
          status,
          record?.size,
          record?.error_msg ?? '',
        ),
        seen === undefined ? undefined : Date.parse(seen),
      );
    }
    if (this.scheduler.size > 0) await outbox.setSchedules(this.scheduleBody());
  }

  // ---- jobs, reports, schedules ----

  private makeProvider(mirror: MirrorConfig, config: WorkerConfig): Provider {
    return createProvider(mirror, config, {
      logger: this.logger,
      baseEnv: { ...process.env, [RUN_TOKEN_ENV]: this.runRecord?.token ?? '' },
      ...(this.options.killGraceMs !== undefined ? { killGraceMs: this.options.killGraceMs } : {}),
    });
  }

  private addJob(
    mirror: MirrorConfig,
    provider: Provider,
    state: Extract<JobState, 'none' | 'paused' | 'disabled'>,
  ): JobEntry {
    const job = new MirrorJob(provider, {
      gate: this.gate,
      logger: this.logger,
      state,
      ...(mirror.cron !== undefined ? { cron: mirror.cron } : {}),
    });
    const entry: JobEntry = {
      mirror,
      job,
      quiet: false,
      detach: job.on('status', (event) => this.onStatus(entry, event)),
      ticker: undefined,
    };
    this.jobs.set(mirror.name, entry);
    return entry;
  }

  private onStatus(entry: JobEntry, event: JobStatusEvent): void {
    const current = !entry.quiet && this.jobs.get(event.job) === entry;
    if (event.status === 'syncing' && current) this.startProgress(entry);
    else this.stopProgress(entry);
    if (!current) return;
    const record = this.records.get(event.job);
    if (record) {
      if (event.size !== undefined) record.size = meaningfulSize(event.size) ?? record.size;
      if (event.status === 'success') record.last_success = event.time.toISOString();
    }
    this.send(entry, event.status, event.message, event.time);
    if (event.schedule && event.nextRun && !this.halting) {
      this.scheduler.add(entry.job, event.nextRun);
      this.logger.info(`next run of ${event.job} at ${formatRfc3339(event.nextRun)}`, {
        mirror: event.job,
      });
      this.queueSchedules();
    }
  }

  /** Records and reports one status, observed at `at`, to every manager (SPEC §4.2.4). */
  private send(entry: JobEntry, status: SyncStatus, message: string, at = new Date()): void {
    const name = entry.mirror.name;
    const record = this.records.get(name) ?? { status, error_msg: '' };
    record.status = status;
    record.error_msg = message;
    record.changed_at = at.toISOString();
    this.records.set(name, record);
    const body = buildMirrorStatus(
      this.config.global.name,
      entry.job.provider,
      status,
      record.size,
      message,
    );
    this.logger.debug(`reporting ${status} of ${name}`, { mirror: name });
    for (const listener of this.listeners) listener(body);
    this.track(this.reporter.reportStatus(body, at.getTime()), `the ${status} report of ${name}`);
    this.persist();
  }

  private track(write: Promise<unknown>, what: string): void {
    const tracked = write.catch((err: unknown) => {
      this.logger.error(`cannot store ${what}: ${(err as Error).message}`);
    });
    this.writes.add(tracked);
    void tracked.finally(() => this.writes.delete(tracked));
  }

  private persist(): void {
    if (this.started) this.track(this.stateFile.save(this.records), 'the job states');
  }

  private scheduleBody(): MirrorSchedules {
    return {
      schedules: this.scheduler.list().map((e) => {
        const entry = this.jobs.get(e.name);
        const schedule: MirrorSchedule = { name: e.name, next_schedule: formatRfc3339(e.at) };
        if (entry === undefined) return schedule;
        // For the manager's stale rule (§7.13): how often the mirror runs, how long a run may take.
        const { interval, timeout, retry } = entry.job.provider;
        if (entry.mirror.cron === undefined) schedule.interval_seconds = interval * 60;
        schedule.timeout_seconds = timeout * retry;
        return schedule;
      }),
    };
  }

  /** Posts the whole schedule list once the current change is done (SPEC §4.2.4). */
  private queueSchedules(): void {
    if (this.schedulesQueued || this.halting || !this.started) return;
    this.schedulesQueued = true;
    queueMicrotask(() => {
      this.schedulesQueued = false;
      if (this.halting) return;
      this.track(this.reporter.reportSchedules(this.scheduleBody()), 'the schedule list');
    });
  }

  // ---- live progress (SPEC §7.9) ----

  private progressIntervalMs(): number {
    return this.options.progressIntervalMs ?? this.config.global.progress_interval * 1000;
  }

  /** Polls the running sync's progress and posts each change, until `stopProgress`. */
  private startProgress(entry: JobEntry): void {
    this.stopProgress(entry);
    const provider = entry.job.provider;
    const intervalMs = this.progressIntervalMs();
    if (this.halting || intervalMs <= 0 || typeof provider.progress !== 'function') return;
    const name = entry.mirror.name;
    entry.ticker = new ProgressTicker({
      read: () => provider.progress?.() ?? Promise.resolve(undefined),
      post: (progress) => this.progress.post(name, progress),
      intervalMs,
      ...(this.options.progressClock ? { clock: this.options.progressClock } : {}),
      onError: (err) =>
        this.logger.debug(`progress of ${name} not read: ${(err as Error).message}`, {
          mirror: name,
        }),
    });
    entry.ticker.start();
  }

  private stopProgress(entry: JobEntry): void {
    if (!entry.ticker) return;
    entry.ticker.stop();
    entry.ticker = undefined;
    this.progress.forget(entry.mirror.name);
  }

  private onDue(job: MirrorJob): void {
    this.queueSchedules();
    job.start().catch((err: unknown) => {
      this.logger.debug(`scheduled start of ${job.name} refused: ${(err as Error).message}`);
    });
  }

  // ---- commands (SPEC §4.1) ----

  // In-process callers: each method resolves once the command is applied (rejects when it
  // is refused or fails); the control server answers once it is queued (queueJobCommand).

  hasMirror(name: string): boolean {
    return this.acceptedConfig.mirrors.some((m) => m.name === name);
  }

  /** The log directory of a mirror's job (its `log_dir` with templates applied, §7.14). */
  logDirOf(name: string): string | undefined {
    return this.jobs.get(name)?.job.provider.logDir;
  }

  async start(name: string, options: { force: boolean }): Promise<void> {
    await this.queueJobCommand(name, 'start', options).applied;
  }

  async restart(name: string): Promise<void> {
    await this.queueJobCommand(name, 'restart', { force: false }).applied;
  }

  async stop(name: string): Promise<void> {
    await this.queueJobCommand(name, 'stop', { force: false }).applied;
  }

  async disable(name: string): Promise<void> {
    await this.queueJobCommand(name, 'disable', { force: false }).applied;
  }

  /** No effect: the job keeps its schedule (see the README). */
  async ping(name: string): Promise<void> {
    await this.queueJobCommand(name, 'ping', { force: false }).applied;
  }

  /**
   * Queues a command in its mirror's lane: it waits only for earlier commands of the same
   * mirror and for an earlier start-up or reload, never for another mirror's slow stop.
   */
  queueJobCommand(name: string, verb: JobCommandVerb, options: { force: boolean }): QueuedCommand {
    if (this.halting) throw new WorkerHaltedError(`${verb} ${name}`);
    if (!this.hasMirror(name)) throw new UnknownMirrorError(name);
    const applied = this.lanes.run(name, async () => {
      if (this.halting) throw new WorkerHaltedError(`${verb} ${name}`);
      const entry = this.jobs.get(name);
      if (!entry) throw new UnknownMirrorError(name);
      if (verb !== 'ping' && this.scheduler.remove(entry.job)) this.queueSchedules();
      await this.applyJobCommand(entry, verb, options);
    });
    applied.catch((err: unknown) => {
      this.logger.warn(`${verb} ${name} not applied: ${(err as Error).message}`, {
        mirror: name,
      });
    });
    return { applied };
  }

  private applyJobCommand(
    entry: JobEntry,
    verb: JobCommandVerb,
    options: { force: boolean },
  ): Promise<void> {
    const job = entry.job;
    switch (verb) {
      case 'start':
        // Only a command (a push) asks for the extra run, never the schedule (onDue).
        return job.start({ force: options.force, rerun: entry.mirror.push_rerun === true });
      case 'ping':
        return job.ping();
      case 'restart':
      case 'stop':
      case 'disable':
        // The progress of the run stops before the kill.
        this.stopProgress(entry);
        return job.act(verb);
    }
  }

  // ---- reload (SPEC §4.6) ----

  /** Re-reads the configuration file and applies the difference; rejects (ReloadError) and keeps the running config when the file is broken. */
  async reload(): Promise<void> {
    const queued = await this.queueReload();
    await queued.applied;
  }

  /**
   * Reads and checks the file and builds the providers of new and changed mirrors (a
   * problem rejects with ReloadError and changes nothing), then queues the application
   * behind every command asked for before it.
   */
  queueReload(): Promise<QueuedCommand> {
    return this.reloadReads.run(async () => {
      const { file, next, diff, providers } = await this.prepareReload();
      this.acceptedConfig = next;
      const applied = this.lanes.runExclusive(() => this.applyReload(file, next, diff, providers));
      applied.catch((err: unknown) => {
        this.logger.error(`reload of ${file} not applied: ${(err as Error).message}`);
      });
      return { applied };
    });
  }

  private async prepareReload(): Promise<{
    file: string;
    next: WorkerConfig;
    diff: MirrorDiff;
    providers: Map<string, Provider>;
  }> {
    if (this.halting) throw new WorkerHaltedError('reload');
    const file = this.options.configFile ?? this.config.file;
    let next: WorkerConfig;
    try {
      const loaded = await loadWorkerConfig(file, { strict: this.options.strict ?? false });
      next = loaded.config;
      for (const warning of loaded.warnings) this.logger.warn(`reload: ${warning}`);
    } catch (err) {
      const problems =
        err instanceof WorkerConfigError ? [...err.problems] : [(err as Error).message];
      for (const problem of problems) this.logger.error(`reload: ${problem}`);
      this.logger.error(`reload of ${file} refused; the running configuration is kept`);
      throw new ReloadError(problems, { cause: err });
    }
    if (this.halting) throw new WorkerHaltedError('reload');
    // Against the last accepted configuration: the earlier reloads are applied first.
    const diff = diffMirrors(this.acceptedConfig, next);
    const providers = new Map<string, Provider>();
    try {
      for (const mirror of [...diff.added, ...diff.changed]) {
        providers.set(mirror.name, this.makeProvider(mirror, next));
      }
    } catch (err) {
      this.logger.error(`reload: ${(err as Error).message}`);
      this.logger.error(`reload of ${file} refused; the running configuration is kept`);
      throw new ReloadError([(err as Error).message], { cause: err });
    }
    this.warnRestartOnly(this.acceptedConfig, next);
    return { file, next, diff, providers };
  }

  private async applyReload(
    file: string,
    next: WorkerConfig,
    diff: MirrorDiff,
    providers: Map<string, Provider>,
  ): Promise<void> {
    if (this.halting) throw new WorkerHaltedError('reload');
    for (const mirror of diff.removed) {
      const entry = this.jobs.get(mirror.name);
      if (!entry) continue;
      await this.retire(entry);
      this.jobs.delete(mirror.name);
      const record = this.records.get(mirror.name);
      const body = buildMirrorStatus(
        this.config.global.name,
        entry.job.provider,
        'disabled',
        record?.size,
        '',
      );
      for (const listener of this.listeners) listener(body);
      this.track(this.reporter.reportStatus(body), `the disabled report of ${mirror.name}`);
      this.records.delete(mirror.name);
      this.logger.info(`reload: ${mirror.name} removed (disabled and dropped)`, {
        mirror: mirror.name,
      });
    }
    const now = new Date();
    for (const mirror of diff.changed) {
      const old = this.jobs.get(mirror.name);
      if (!old) continue;
      const before = old.job.state;
      await this.retire(old);
      const state = before === 'disabled' ? 'disabled' : before === 'paused' ? 'paused' : 'none';
      const entry = this.addJob(mirror, providers.get(mirror.name) as Provider, state);
      if (state === 'none') this.scheduler.add(entry.job, now);
      this.logger.info(
        `reload: ${mirror.name} changed (${state === 'none' ? 'runs now' : state})`,
        {
          mirror: mirror.name,
        },
      );
    }
    for (const mirror of diff.added) {
      const entry = this.addJob(mirror, providers.get(mirror.name) as Provider, 'none');
      this.records.set(mirror.name, { status: 'none', error_msg: '' });
      this.scheduler.add(entry.job, now);
      this.logger.info(`reload: ${mirror.name} added (runs now)`, { mirror: mirror.name });
    }
    if (next.global.concurrent !== this.config.global.concurrent) {
      this.gate.setLimit(next.global.concurrent);
    }
    const progressChanged = next.global.progress_interval !== this.config.global.progress_interval;
    this.config = next;
    if (progressChanged) {
      // Running syncs of unchanged mirrors go on: their progress takes the new interval now.
      for (const entry of this.jobs.values()) if (entry.ticker) this.startProgress(entry);
    }
    this.persist();
    this.queueSchedules();
    this.logger.info(
      `reloaded ${file}: ${diff.added.length} added, ${diff.changed.length} changed, ${diff.removed.length} removed, ${diff.unchanged.length} unchanged`,
    );
  }

  /** Disables a job without reporting it, and detaches it. */
  private async retire(entry: JobEntry): Promise<void> {
    entry.quiet = true;
    this.stopProgress(entry);
    this.scheduler.remove(entry.job);
    await entry.job.disable();
    entry.detach();
  }

  private warnRestartOnly(before: WorkerConfig, next: WorkerConfig): void {
    const sections = ['manager', 'server'] as const;
    for (const section of sections) {
      if (JSON.stringify(next[section]) !== JSON.stringify(before[section])) {
        this.logger.warn(`reload: changes of [${section}] take effect after a restart`);
      }
    }
    if (next.global.name !== before.global.name) {
      this.logger.warn('reload: a new [global] name takes effect after a restart');
    }
  }

  // ---- halt ----

  /**
   * Stops every run (their process groups are gone when it resolves), delivers the final
   * statuses within `haltDeliveryMs`, and releases everything. Idempotent.
   */
  halt(): Promise<void> {
    this.halting ??= this.doHalt();
    return this.halting;
  }

  private async doHalt(): Promise<void> {
    this.abort.abort();
    this.logger.info('halting: stopping every job');
    await this.control.close().catch(() => undefined);
    await this.lanes.runExclusive(async () => {
      this.scheduler.close();
      for (const entry of this.jobs.values()) this.stopProgress(entry);
      await Promise.allSettled([...this.jobs.values()].map((e) => e.job.halt()));
    });
    await this.progress.close();
    if (this.started) this.track(this.stateFile.save(this.records), 'the job states');
    while (this.writes.size > 0) await Promise.allSettled([...this.writes]);
    const waitMs = this.options.haltDeliveryMs ?? 10_000;
    if (!(await this.reporter.drained(waitMs))) {
      const left = this.reporter.outboxes.reduce((n, o) => n + o.pending, 0);
      this.logger.warn(
        `${left} report(s) not delivered within ${waitMs} ms; they stay on disk and are sent at the next start`,
      );
    }
    await this.reporter.close();
    await Promise.allSettled(this.registrations);
    if (this.runRecord) await rm(this.runRecord.file, { force: true });
    this.logger.info('halted');
    this.resolveFinished();
  }
}

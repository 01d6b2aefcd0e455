import { mkdir, readFile, rm } from 'node:fs/promises';
import {
  formatRfc3339,
  type Logger,
  type MirrorSchedule,
  type MirrorStatus,
} from '@tunasync/api-types';
import {
  ConcurrencyGate,
  MirrorJob,
  Scheduler,
  type Clock,
  type JobStatusEvent,
  type Provider,
} from '@tunasync/core';
import { createProvider } from '@tunasync/providers';
import type { MirrorConfig, WorkerConfig } from '../config/worker-config';
import { ControlServer } from '../control/control-server';
import type { JobCommandVerb, QueuedCommand, WorkerCommands } from '../control/worker-commands';
import type { BackoffOptions } from '../reporting/backoff';
import type { ManagerClient } from '../reporting/manager-client';
import type { ManagerOutbox } from '../reporting/manager-outbox';
import type { ProbeOptions } from '../reporting/probe-wait';
import { ProgressReporter } from '../reporting/progress-reporter';
import { Reporter } from '../reporting/reporter';
import { CommandLanes } from './command-lanes';
import { Halt, type HaltStep } from './halt';
import type { InitialJobState, JobEntry } from './job-entry';
import { JobCommands } from './job-commands';
import { JobStateFile } from './job-state-file';
import { LiveProgress } from './live-progress';
import { MirrorReports, type ReportListener } from './mirror-reports';
import { ReRegistration } from './re-registration';
import { registerWithRetry } from './registration';
import { Reload } from './reload';
import { RUN_TOKEN_ENV, reapLeftoverRuns, writeRunRecord } from './run-records';
import { applyStartupPlan, fetchManagerStatuses, waitFirstRegistration } from './start-up';
import { planStartup } from './startup-plan';

export type { ReportListener } from './mirror-reports';

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

async function readTls(config: WorkerConfig): Promise<{ cert: Buffer; key: Buffer } | undefined> {
  const { ssl_cert: cert, ssl_key: key } = config.server;
  if (!cert || !key) return undefined;
  return { cert: await readFile(cert), key: await readFile(key) };
}

/**
 * The worker (SPEC §4): one job per mirror on a shared concurrency gate and scheduler,
 * every status change reported to every manager through the durable outboxes, the
 * control server's commands, reload (§4.6) and halt. Start-up (§4.2) terminates what a
 * previous life left running, registers, and plans every mirror from the newest known
 * status. Commands of one mirror are applied one after another; start-up, reload and halt
 * exclude every command (see the README). This class wires the parts together: start-up
 * (`start-up.ts`), re-registration, reporting and persistence (`mirror-reports.ts`), live
 * progress, commands (`job-commands.ts`), reload and halt each live in their own file.
 */
export class WorkerRuntime implements WorkerCommands {
  /** Resolves once the worker has halted. */
  readonly finished: Promise<void>;
  private config: WorkerConfig;
  private readonly logger: Logger;
  /** One lane per mirror for its commands; start-up, reload and halt are worker-wide. */
  private readonly lanes = new CommandLanes();
  private readonly abort = new AbortController();
  private readonly jobs = new Map<string, JobEntry>();
  private readonly gate: ConcurrencyGate;
  private readonly scheduler: Scheduler<MirrorJob>;
  private readonly reporter: Reporter;
  private readonly reports: MirrorReports;
  private readonly progress: LiveProgress;
  private readonly reRegistration: ReRegistration;
  private readonly commands: JobCommands;
  private readonly reloads: Reload;
  private readonly stopping: Halt;
  private readonly stateFile: JobStateFile;
  private readonly control: ControlServer;
  private runRecord: { token: string; file: string } | undefined;
  private registrations: Promise<boolean>[] = [];
  private url = '';

  private constructor(
    private readonly options: WorkerRuntimeOptions,
    tls: { cert: Buffer; key: Buffer } | undefined,
    ca: Buffer | undefined,
  ) {
    this.config = options.config;
    this.logger = options.logger.child({ worker: options.config.global.name });
    const halting = (): boolean => this.stopping.started;
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
      onUnknownWorker: (client, outbox) => this.reRegistration.registerAgain(client, outbox),
    });
    this.reports = new MirrorReports({
      reporter: this.reporter,
      stateFile: this.stateFile,
      workerName: () => this.config.global.name,
      schedules: () => this.schedules(),
      scheduleFacts: (name) => this.scheduleFacts(name),
      halting,
      logger: this.logger,
    });
    this.progress = new LiveProgress({
      reporter: new ProgressReporter({
        clients: this.reporter.clients,
        logger: this.logger.child({ component: 'progress' }),
      }),
      intervalMs: () => options.progressIntervalMs ?? this.config.global.progress_interval * 1000,
      ...(options.progressClock ? { clock: options.progressClock } : {}),
      halting,
      logger: this.logger,
    });
    this.reRegistration = new ReRegistration({
      reports: this.reports,
      providers: () => [...this.jobs.values()].map((e) => e.job.provider),
      url: () => this.url,
      halting,
      logger: this.logger,
    });
    this.reloads = new Reload({
      file: () => options.configFile ?? this.config.file,
      strict: options.strict ?? false,
      config: () => this.config,
      setConfig: (next) => {
        this.config = next;
      },
      makeProvider: (mirror, config) => this.makeProvider(mirror, config),
      jobs: {
        get: (name) => this.jobs.get(name),
        add: (mirror, provider, state) => this.addJob(mirror, provider, state),
        retire: (entry) => this.retire(entry),
        delete: (name) => this.jobs.delete(name),
      },
      lanes: this.lanes,
      reports: this.reports,
      scheduler: this.scheduler,
      gate: this.gate,
      progress: this.progress,
      halting,
      logger: this.logger,
    });
    this.commands = new JobCommands({
      lanes: this.lanes,
      hasMirror: (name) => this.hasMirror(name),
      target: (name) => this.jobs.get(name),
      scheduler: this.scheduler,
      schedulesChanged: () => this.reports.queueSchedules(),
      stopProgress: (job) => this.progress.stop(job),
      halting,
      logger: this.logger,
    });
    this.control = new ControlServer({
      commands: this,
      logger: this.logger.child({ component: 'control' }),
      ...(this.config.manager.token !== undefined ? { token: this.config.manager.token } : {}),
      ...(tls ? { tls } : {}),
      host: this.config.server.listen_addr,
      port: this.config.server.listen_port,
    });
    this.stopping = new Halt(this.haltSteps(), this.logger);
    this.finished = this.stopping.finished.then(() => undefined);
  }

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

  /** A mirror's interval (not for `cron`) and longest run (timeout × retry), for §7.13. */
  private scheduleFacts(
    name: string,
  ): Pick<MirrorSchedule, 'interval_seconds' | 'timeout_seconds'> {
    const entry = this.jobs.get(name);
    if (entry === undefined) return {};
    const { interval, timeout, retry } = entry.job.provider;
    return {
      ...(entry.mirror.cron === undefined ? { interval_seconds: interval * 60 } : {}),
      timeout_seconds: timeout * retry,
    };
  }

  /** The log directory of a mirror's job (its `log_dir` with templates applied, §7.14). */
  logDirOf(name: string): string | undefined {
    return this.jobs.get(name)?.job.provider.logDir;
  }

  /** Every pending schedule entry, earliest first. */
  schedules(): { name: string; at: Date }[] {
    return this.scheduler.list().map((e) => ({ name: e.name, at: e.at }));
  }

  /** Calls `listener` with every status report made from now on; returns the unsubscribe. */
  onReport(listener: ReportListener): () => void {
    return this.reports.onReport(listener);
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
      const first = await waitFirstRegistration(
        this.registrations,
        this.options.registerWaitMs ?? 10_000,
        this.abort.signal,
      );
      if (this.abort.signal.aborted) return;
      const managerStatuses = await fetchManagerStatuses(
        this.reporter.clients[0] as ManagerClient,
        first,
        this.logger,
      );
      applyStartupPlan(
        planStartup({
          names: this.config.mirrors.map((m) => m.name),
          managerStatuses,
          pending,
          local,
        }),
        {
          mirrors: this.config.mirrors,
          addJob: (mirror, state) =>
            this.addJob(mirror, this.makeProvider(mirror, this.config), state),
          reports: this.reports,
          scheduler: this.scheduler,
          logger: this.logger,
        },
      );
      this.reRegistration.sendAllOnLateRegistration(
        this.registrations,
        registered,
        this.reporter.clients.map((client, i) => ({
          client,
          outbox: this.reporter.outboxes[i] as ManagerOutbox,
        })),
      );
      this.reports.begin();
      this.reporter.startHeartbeats();
      this.logger.info(
        `worker started with ${this.jobs.size} mirror(s); control server at ${this.url}`,
      );
    });
  }

  // ---- jobs ----

  private makeProvider(mirror: MirrorConfig, config: WorkerConfig): Provider {
    return createProvider(mirror, config, {
      logger: this.logger,
      baseEnv: { ...process.env, [RUN_TOKEN_ENV]: this.runRecord?.token ?? '' },
      ...(this.options.killGraceMs !== undefined ? { killGraceMs: this.options.killGraceMs } : {}),
    });
  }

  private addJob(mirror: MirrorConfig, provider: Provider, state: InitialJobState): JobEntry {
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
    };
    this.jobs.set(mirror.name, entry);
    return entry;
  }

  /** Disables a job without reporting it, and detaches it. */
  private async retire(entry: JobEntry): Promise<void> {
    entry.quiet = true;
    this.progress.stop(entry.job);
    this.scheduler.remove(entry.job);
    await entry.job.disable();
    entry.detach();
  }

  private onStatus(entry: JobEntry, event: JobStatusEvent): void {
    const current = !entry.quiet && this.jobs.get(event.job) === entry;
    if (event.status === 'syncing' && current) this.progress.start(entry.job);
    else this.progress.stop(entry.job);
    if (!current) return;
    this.reports.observe(event);
    this.reports.send(entry.job.provider, event.status, event.message, event.time);
    if (event.schedule && event.nextRun && !this.stopping.started) {
      this.scheduler.add(entry.job, event.nextRun);
      this.logger.info(`next run of ${event.job} at ${formatRfc3339(event.nextRun)}`, {
        mirror: event.job,
      });
      this.reports.queueSchedules();
    }
  }

  private onDue(job: MirrorJob): void {
    this.reports.queueSchedules();
    job.start().catch((err: unknown) => {
      this.logger.debug(`scheduled start of ${job.name} refused: ${(err as Error).message}`);
    });
  }

  // ---- commands (SPEC §4.1, `job-commands.ts`) ----

  // In-process callers: each method resolves once the command is applied (rejects when it
  // is refused or fails); the control server answers once it is queued (queueJobCommand).

  hasMirror(name: string): boolean {
    return this.reloads.accepted.mirrors.some((m) => m.name === name);
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
    return this.commands.queue(name, verb, options);
  }

  // ---- reload (SPEC §4.6, `reload.ts`) ----

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
    return this.reloads.queue();
  }

  // ---- halt (`halt.ts`) ----

  /**
   * Stops every run (their process groups are gone when it resolves), delivers the final
   * statuses within `haltDeliveryMs`, and releases everything. Every step runs even when
   * an earlier one fails (logged); it always resolves. Idempotent.
   */
  async halt(): Promise<void> {
    await this.stopping.run();
  }

  private haltSteps(): HaltStep[] {
    return [
      {
        name: 'cancelling the start-up',
        run: () => {
          this.abort.abort();
          this.logger.info('halting: stopping every job');
        },
      },
      { name: 'closing the control server', run: () => this.control.close() },
      {
        name: 'stopping every job',
        run: () =>
          this.lanes.runExclusive(async () => {
            this.scheduler.close();
            for (const entry of this.jobs.values()) this.progress.stop(entry.job);
            await Promise.allSettled([...this.jobs.values()].map((e) => e.job.halt()));
          }),
      },
      { name: 'closing the live progress', run: () => this.progress.close() },
      { name: 'saving the job states', run: () => this.reports.settle() },
      { name: 'delivering the final statuses', run: () => this.deliverFinalStatuses() },
      { name: 'closing the outboxes', run: () => this.reporter.close() },
      { name: 'ending the registrations', run: () => Promise.allSettled(this.registrations) },
      {
        name: 'removing the run record',
        run: () => (this.runRecord ? rm(this.runRecord.file, { force: true }) : undefined),
      },
      { name: 'reporting the halt', run: () => this.logger.info('halted') },
    ];
  }

  private async deliverFinalStatuses(): Promise<void> {
    const waitMs = this.options.haltDeliveryMs ?? 10_000;
    if (!(await this.reporter.drained(waitMs))) {
      const left = this.reporter.outboxes.reduce((n, o) => n + o.pending, 0);
      this.logger.warn(
        `${left} report(s) not delivered within ${waitMs} ms; they stay on disk and are sent at the next start`,
      );
    }
  }
}

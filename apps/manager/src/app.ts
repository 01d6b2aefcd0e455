import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { MANAGER_DEFAULTS, formatRfc3339, nameProblem, silentLogger } from '@tunasync/api-types';
import type {
  Logger,
  MirrorSchedule,
  MirrorStatus,
  StaleAfter,
  StaleRuleSchedule,
  SyncStatus,
  ValidationResult,
  WorkerCmd,
  WorkerStatus,
} from '@tunasync/api-types';
import type { AlertService } from '@tunasync/alerts';
import { STORE_ERROR_CODES, isStoreError } from '@tunasync/store';
import type { Store } from '@tunasync/store';
import { registerAlertRoutes } from './alerts-routes';
import { Credentials } from './credentials';
import {
  MANAGER_ROUTES,
  WorkerCallError,
  createWorkerClient,
  createWorkerLogClient,
} from '@tunasync/client';
import type { WorkerClient, WorkerLogClient } from '@tunasync/client';
import { MANAGER_ERRORS, ManagerError } from './errors';
import { createJsonBody } from './json-body';
import { createLogListHandler, createLogRouteHandler } from './log-route';
import { toHistoryRecord } from './history-record';
import { JobsSnapshot } from './jobs-snapshot';
import { METRICS_CONTENT_TYPE, ManagerMetrics } from './metrics';
import type { MirrorzSettings } from './mirrorz-config';
import { MIRRORZ_CONTENT_TYPE, MirrorzEndpoint } from './mirrorz-document';
import { createRequestAuth } from './request-auth';
import { createRouteMounter } from './route-mounter';
import { FAVICON_SVG, StatusPage } from './status-page';
import { applyStatusReport, isMeaningfulSize, normalizeTime } from './status-rules';
import type { TokenEntry } from './token-file';
import { workerReason } from './worker-reason';
import { hasUrlUserinfo, redactUrlUserinfo } from '@tunasync/api-types';

/** The part of the manager's settings the HTTP app needs. */
export interface ManagerAppConfig {
  /** The shared bearer token (§7.1): full rights on every mutating route. */
  token?: string;
  /** Hashed per-worker tokens (§7.12, `worker_tokens_file`): each writes its worker's routes only. */
  workerTokens?: TokenEntry[];
  /** Hashed admin tokens (§7.12, `admin_tokens_file`): full rights, never sent to workers. */
  adminTokens?: TokenEntry[];
  /** PEM text of the CA to trust when calling workers over HTTPS (`files.ca_cert`). */
  caCert?: string;
  /** Seconds without news after which a worker counts as offline (0: never). */
  workerOfflineAfter?: number;
  /** Log one line per request at debug level (`debug = true`, `--debug`). */
  logRequests?: boolean;
  /** `GET /mirrorz.json` (§7.6); undefined: the route answers 404 saying how to enable it. */
  mirrorz?: MirrorzSettings;
  /** Finished runs kept per mirror (§7.8; `[server] history_size`, default 50; 0: none). */
  historySize?: number;
  // The operator's view (issue #15):
  /** `[server] stale_after` (§7.13): `'auto'` (default) or seconds, 0: off. */
  staleAfter?: StaleAfter;
  /** `[server] public_logs`: the status page shows log tails (default false). */
  publicLogs?: boolean;
}

export interface ManagerAppOptions {
  config: ManagerAppConfig;
  store: Store;
  logger?: Logger;
  /** The manager's clock: every timestamp it stores comes from here. */
  clock?: () => Date;
  /** The alerts (issue #17): `GET /alerts`, `POST /alerts/test`, their `/metrics` lines. */
  alerts?: AlertService;
  /** How commands reach workers; by default undici with a 5 s timeout and `caCert`. */
  workerClient?: WorkerClient;
  /** How log requests reach workers (§7.14); by default undici with `caCert`. */
  workerLogClient?: WorkerLogClient;
}

export interface ManagerApp {
  /** The express application, to hand to an HTTP(S) server. */
  readonly handler: express.Express;
  readonly snapshot: JobsSnapshot;
  /** `GET /`, the HTML status page (§7.4). */
  readonly statusPage: StatusPage;
  /** `GET /metrics`, the Prometheus exposition (§7.5). */
  readonly metrics: ManagerMetrics;
  /** `GET /mirrorz.json`, the mirrorz document (§7.6); undefined when not enabled. */
  readonly mirrorz: MirrorzEndpoint | undefined;
  /** The tokens requests are checked against; `replace()` swaps them (SIGHUP). */
  readonly credentials: Credentials;
  /** Detaches from the store and closes the worker client it made. Idempotent. */
  close(): Promise<void>;
}

const REDACTED = 'REDACTED';

function valid<T>(result: ValidationResult<T>): T {
  if (!result.ok) throw MANAGER_ERRORS.invalidBody(result.problems);
  return result.value;
}

function checkName(what: string, name: string): void {
  const problem = nameProblem(name);
  if (problem !== undefined) throw MANAGER_ERRORS.invalidName(what, name, problem);
}

/** The body of a worker's message about one mirror names it: set, valid, and the URL's `:job`. */
function requireMessageMirror(name: string, job: string): void {
  if (name === '') throw MANAGER_ERRORS.emptyMirrorName();
  checkName('mirror name', name);
  if (name !== job) throw MANAGER_ERRORS.mirrorNameMismatch(name, job);
}

function redact(worker: WorkerStatus): WorkerStatus {
  return { ...worker, url: redactUrlUserinfo(worker.url), token: REDACTED };
}

/** The raw error of a failed call to a worker, with its causes, for the debug log only. */
function rawDetail(err: unknown): string {
  const parts: string[] = [];
  let e = err as { message?: unknown; code?: unknown; cause?: unknown } | null | undefined;
  for (let depth = 0; e !== null && typeof e === 'object' && depth < 8; depth++) {
    const code = typeof e.code === 'string' ? ` [${e.code}]` : '';
    parts.push(`${String(e.message).trim()}${code}`);
    e = e.cause as typeof e;
  }
  return parts.join(' <- ');
}

/** What the stale rule takes of a schedule entry (§7.13). */
function scheduleFacts(schedule: MirrorSchedule): StaleRuleSchedule {
  return {
    ...(schedule.interval_seconds === undefined
      ? {}
      : { intervalSeconds: schedule.interval_seconds }),
    ...(schedule.timeout_seconds === undefined ? {} : { timeoutSeconds: schedule.timeout_seconds }),
  };
}

function isTruthyQuery(value: unknown): boolean {
  return typeof value === 'string' && ['1', 'true', 'yes'].includes(value.toLowerCase());
}

/** `?limit=K` of the history route: 1…`max`, `max` when absent. */
function historyLimit(value: unknown, max: number): number {
  if (value === undefined) return max;
  if (typeof value !== 'string') {
    throw MANAGER_ERRORS.invalidLimit(JSON.stringify(value), 'give it once, as one integer');
  }
  const limit = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!(limit >= 1 && limit <= max)) {
    throw MANAGER_ERRORS.invalidLimit(
      JSON.stringify(value),
      `must be an integer from 1 to ${max} (history_size)`,
    );
  }
  return limit;
}

/**
 * Builds the manager's express app (SPEC §3): loads the `/jobs` snapshot from the store and
 * keeps it coherent through the store's change events.
 */
export async function createManagerApp(options: ManagerAppOptions): Promise<ManagerApp> {
  const { store, config } = options;
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? (() => new Date());
  const ownClient = options.workerClient === undefined;
  const workerClient =
    options.workerClient ??
    createWorkerClient(config.caCert === undefined ? {} : { ca: config.caCert });
  const ownLogClient = options.workerLogClient === undefined;
  const logClient =
    options.workerLogClient ??
    createWorkerLogClient(config.caCert === undefined ? {} : { ca: config.caCert });
  const offlineAfterMs = (config.workerOfflineAfter ?? 0) * 1000;
  const historySize = config.historySize ?? MANAGER_DEFAULTS.history_size;

  const [entries, workers] = await Promise.all([
    store.listAllMirrorStatusEntries(),
    store.listWorkers(),
  ]);
  const snapshot = new JobsSnapshot(entries, workers);
  snapshot.staleAfter = config.staleAfter ?? MANAGER_DEFAULTS.stale_after;
  const unsubscribe = store.onChange((change) => snapshot.apply(change));
  const statusPage = new StatusPage({
    snapshot,
    clock,
    offlineAfterMs,
    publicLogs: config.publicLogs ?? MANAGER_DEFAULTS.public_logs,
    historySize,
  });
  const metrics = new ManagerMetrics({ snapshot, clock, offlineAfterMs });
  const mirrorz =
    config.mirrorz === undefined
      ? undefined
      : new MirrorzEndpoint({ snapshot, settings: config.mirrorz });
  if (config.mirrorz !== undefined) {
    logger.info(`mirrorz document of ${config.mirrorz.site.abbr} served at /mirrorz.json`);
  }

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('json spaces', 0);

  if (config.logRequests) {
    app.use((req, res, next) => {
      const started = process.hrtime.bigint();
      res.on('finish', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        logger.debug(`${req.method} ${req.originalUrl} ${res.statusCode} ${ms.toFixed(1)}ms`, {
          component: 'http',
        });
      });
      next();
    });
  }

  // Authentication before anything reads the body (§7.1, §7.12): read routes stay public.
  const credentials = new Credentials({
    ...(config.token === undefined ? {} : { shared: config.token }),
    ...(config.workerTokens === undefined ? {} : { workers: config.workerTokens }),
    ...(config.adminTokens === undefined ? {} : { admins: config.adminTokens }),
  });
  const auth = createRequestAuth(credentials, logger);
  app.use(auth.middleware);

  app.use(createJsonBody());

  async function requireWorker(id: string): Promise<WorkerStatus> {
    const worker = await store.getWorker(id);
    if (!worker) throw MANAGER_ERRORS.invalidWorkerId(id);
    return worker;
  }

  async function refresh(id: string): Promise<void> {
    await store.refreshWorker(id, formatRfc3339(clock()));
  }

  // Every handler is mounted from the one route table (@tunasync/client MANAGER_ROUTES).
  const mount = createRouteMounter(app);

  const param = (req: Request, name: string): string => {
    const value = req.params[name];
    return typeof value === 'string' ? value : '';
  };

  // The HTML status page (§7.4): public, self-contained, only its own inline style and script.
  mount('statusPage', (_req, res) => {
    res.set({
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': statusPage.csp,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    });
    res.send(statusPage.html());
  });

  // The page's icon; /favicon.ico too, which browsers ask for by themselves.
  const favicon = (_req: Request, res: Response) => {
    res.set({ 'Content-Type': 'image/svg+xml', 'Cache-Control': 'max-age=86400' });
    res.send(FAVICON_SVG);
  };
  mount('faviconSvg', favicon);
  mount('faviconIco', favicon);

  mount('ping', (_req, res) => {
    res.json({ message: 'pong' });
  });

  // Prometheus metrics (§7.5): public, rendered from the snapshot. A Buffer keeps express
  // from rewriting the Content-Type's parameters.
  mount('metrics', (_req, res) => {
    res.set({ 'Content-Type': METRICS_CONTENT_TYPE, 'Cache-Control': 'no-cache' });
    const alertLines = options.alerts?.metricsText() ?? '';
    // Written part by part (tens of MiB at 100,000 mirrors: not copied into one Buffer per
    // request); the same bytes and headers as `res.send` of their concatenation.
    const parts = metrics.bodyParts(alertLines);
    res.set('Content-Length', String(parts.reduce((n, part) => n + part.length, 0)));
    for (const part of parts) res.write(part);
    res.end();
  });

  // The mirrorz document (§7.6): public, and readable by any page (mirrorz.org fetches it
  // from the browser), rendered from the snapshot.
  mount('mirrorz', (_req, res) => {
    res.set({ 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-cache' });
    if (mirrorz === undefined) throw MANAGER_ERRORS.mirrorzDisabled();
    res.set({ 'Content-Type': MIRRORZ_CONTENT_TYPE, ETag: mirrorz.etag() });
    res.send(mirrorz.body());
  });

  mount('listJobs', (req, res) => {
    if (isTruthyQuery(req.query.with_worker)) {
      res.set('Content-Type', 'application/json; charset=utf-8');
      res.send(snapshot.jobsWithWorkersBody(clock(), offlineAfterMs));
      return;
    }
    res.set('Content-Type', 'application/json; charset=utf-8');
    res.set('ETag', snapshot.etag());
    res.send(snapshot.jobsBody());
  });

  mount('flushDisabled', async (_req, res) => {
    const removed = await store.flushDisabled();
    logger.info(`flushed ${removed} disabled or nameless job(s)`);
    res.json({ message: 'flushed' });
  });

  mount('listWorkers', async (_req, res) => {
    res.json((await store.listWorkers()).map(redact));
  });

  mount('registerWorker', async (req, res) => {
    const body = valid(MANAGER_ROUTES.registerWorker.body(req.body));
    checkName('worker id', body.id);
    let protocol: string | undefined;
    try {
      protocol = new URL(body.url).protocol;
    } catch {
      protocol = undefined;
    }
    if (protocol !== 'http:' && protocol !== 'https:') {
      throw MANAGER_ERRORS.invalidWorkerUrl(redactUrlUserinfo(body.url));
    }
    if (hasUrlUserinfo(body.url))
      throw MANAGER_ERRORS.workerUrlCredentials(redactUrlUserinfo(body.url));
    auth.checkRegistration(res, body.id);
    const now = formatRfc3339(clock());
    const stored = await store.putWorker(
      { id: body.id, url: body.url, token: '', last_online: now, last_register: now },
      { sync: true },
    );
    logger.info(`Worker <${stored.id}> registered at ${stored.url}`, { worker: stored.id });
    res.json(redact(stored));
  });

  // `?purge=1`: the worker's mirror statuses go too (off /jobs and the page), also those
  // left by a worker deleted earlier without it.
  mount('deleteWorker', async (req, res) => {
    const id = param(req, 'id');
    const purge = isTruthyQuery(req.query.purge);
    if (!purge) {
      await requireWorker(id);
      await store.deleteWorker(id);
      logger.info(`Worker <${id}> deleted`, { worker: id });
      res.json({ message: 'deleted' });
      return;
    }
    const statuses = (await store.listMirrorStatuses(id)).length;
    const existed = await store.deleteWorker(id, { purge: true });
    if (!existed && statuses === 0) throw MANAGER_ERRORS.invalidWorkerId(id);
    logger.info(`Worker <${id}> deleted with its ${statuses} mirror status(es)`, { worker: id });
    res.json({ message: 'deleted' });
  });

  // A tunasync-ts worker's heartbeat: refreshes last_online and writes nothing else.
  mount('heartbeat', async (req, res) => {
    const id = param(req, 'id');
    const worker = await store.refreshWorker(id, formatRfc3339(clock()));
    if (!worker) throw MANAGER_ERRORS.invalidWorkerId(id);
    res.json({ message: 'alive' });
  });

  mount('listWorkerJobs', async (req, res) => {
    const id = param(req, 'id');
    await requireWorker(id);
    const statuses = await store.listMirrorStatuses(id);
    const now = clock();
    res.json(statuses.map((status) => snapshot.item(status, now)));
  });

  mount('reportStatus', async (req, res) => {
    const id = param(req, 'id');
    await requireWorker(id);
    const report = valid(MANAGER_ROUTES.reportStatus.body(req.body));
    requireMessageMirror(report.name, param(req, 'job'));
    let previous: SyncStatus | undefined;
    // A report that finishes a run adds it to the history in the same atomic write (§7.8).
    // Asked together, the refresh of last_online and the status go into one group commit.
    const [, updated] = await Promise.all([
      refresh(id),
      store.updateMirrorStatus(
        id,
        report.name,
        (current) => {
          previous = current?.status;
          return applyStatusReport(current, report, id, clock());
        },
        { history: historySize },
      ),
    ]);
    const stored = updated as MirrorStatus;
    metrics.recordReport(previous, stored);
    const what = stored.status === 'syncing' ? 'starts syncing' : stored.status;
    const age = report.observed_ago_ms ?? 0;
    const waited =
      age >= 1000 ? ` (reported ${(age / 1000).toFixed(1)} s after the worker saw it)` : '';
    logger.info(`Job [${stored.name}] @<${id}> ${what}${waited}`, {
      worker: id,
      mirror: stored.name,
    });
    res.json(stored);
  });

  mount('setSize', async (req, res) => {
    const id = param(req, 'id');
    const job = param(req, 'job');
    await requireWorker(id);
    checkName('mirror name', job);
    const message = valid(MANAGER_ROUTES.setSize.body(req.body));
    const name = message.name === '' ? job : message.name;
    if (name !== job) throw MANAGER_ERRORS.mirrorNameMismatch(name, job);
    let found = false;
    const stored = await store.updateMirrorStatus(id, name, (current) => {
      found = current !== undefined;
      if (!current || !isMeaningfulSize(message.size)) return undefined;
      return { ...current, size: message.size };
    });
    // An unknown mirror is refused before anything is written, last_online included.
    if (!found || !stored) throw MANAGER_ERRORS.mirrorNotFound(name, id);
    await refresh(id);
    logger.info(`Mirror size of [${name}] @<${id}>: ${stored.size}`, { worker: id, mirror: name });
    res.json(stored);
  });

  // Run history (§7.8): a read route, public like /jobs; newest first, at most history_size.
  mount('history', async (req, res) => {
    const id = param(req, 'id');
    const job = param(req, 'job');
    await requireWorker(id);
    checkName('mirror name', job);
    if (historySize === 0) throw MANAGER_ERRORS.historyDisabled();
    const limit = historyLimit(req.query.limit, historySize);
    if (!(await store.getMirrorStatus(id, job))) throw MANAGER_ERRORS.mirrorNotFound(job, id);
    const runs = await store.listRunHistory(id, job, limit);
    res.json(runs.map((run) => toHistoryRecord(id, job, run)));
  });

  // Live progress of a syncing mirror (§7.9): kept in memory only (no store write, so it
  // does not refresh last_online either), shown on /jobs and /workers/:id/jobs while the
  // mirror is syncing.
  mount('reportProgress', async (req, res) => {
    const id = param(req, 'id');
    const job = param(req, 'job');
    await requireWorker(id);
    const message = valid(MANAGER_ROUTES.reportProgress.body(req.body));
    requireMessageMirror(message.name, job);
    const updated = clock();
    const progress = { files: message.files, bytes: message.bytes, updated };
    if (!snapshot.setProgress(id, message.name, progress)) {
      const current = snapshot.status(id, message.name);
      if (current === undefined) throw MANAGER_ERRORS.mirrorNotFound(message.name, id);
      throw MANAGER_ERRORS.mirrorNotSyncing(message.name, id, current.status);
    }
    logger.debug(
      `Progress of [${message.name}] @<${id}>: ${message.files} files, ${message.bytes} bytes`,
      {
        worker: id,
        mirror: message.name,
      },
    );
    res.json({ ...message, updated: formatRfc3339(updated) });
  });

  // The operator's view (issue #15): read routes whose handlers live in their own files.
  const logRoutes = {
    store,
    credentials,
    client: logClient,
    publicLogs: config.publicLogs ?? MANAGER_DEFAULTS.public_logs,
    logger,
  };
  mount('workerLog', createLogRouteHandler(logRoutes));
  mount('workerLogs', createLogListHandler(logRoutes));

  mount('reportSchedules', async (req, res) => {
    const id = param(req, 'id');
    await requireWorker(id);
    const { schedules } = valid(MANAGER_ROUTES.reportSchedules.body(req.body));
    for (const schedule of schedules) {
      if (schedule.name === '') throw MANAGER_ERRORS.emptyMirrorName();
      checkName('mirror name', schedule.name);
    }
    await refresh(id);
    for (const schedule of schedules) {
      const next = normalizeTime(schedule.next_schedule);
      let known = false;
      await store.updateMirrorStatus(id, schedule.name, (current) => {
        known = current !== undefined;
        if (!current || current.next_schedule === next) return undefined;
        return { ...current, next_schedule: next };
      });
      // The stale rule's interval and timeout (§7.13), from tunasync-ts workers.
      if (known) snapshot.setSchedule(id, schedule.name, scheduleFacts(schedule));
      if (!known) {
        logger.debug(`schedule of unknown job [${schedule.name}] @<${id}> ignored`, {
          worker: id,
          mirror: schedule.name,
        });
      }
    }
    res.json({});
  });

  mount('sendCommand', async (req, res) => {
    const cmd = valid(MANAGER_ROUTES.sendCommand.body(req.body));
    if (cmd.worker_id === '') throw MANAGER_ERRORS.emptyCmdWorker(cmd.mirror_id);
    if (cmd.mirror_id !== '') checkName('mirror_id', cmd.mirror_id);
    const worker = await store.getWorker(cmd.worker_id);
    if (!worker) throw MANAGER_ERRORS.workerNotRegistered(cmd.worker_id);
    const token = credentials.tokenForWorker(worker.id);
    const shownUrl = redactUrlUserinfo(worker.url);

    // `disable` and `stop` force the stored status to `disabled`/`paused` once the worker has
    // answered: also when it could not be reached or failed to act (as in Go, which wrote it
    // before the call), but not when it refused the command with a 4xx (unknown mirror, bad
    // verb): a refused command changes nothing.
    const forced = cmd.cmd === 'disable' ? 'disabled' : cmd.cmd === 'stop' ? 'paused' : undefined;
    const force = async () => {
      if (forced === undefined || cmd.mirror_id === '') return;
      await store.updateMirrorStatus(worker.id, cmd.mirror_id, (current) =>
        current && current.status !== forced ? { ...current, status: forced } : undefined,
      );
    };

    const workerCmd: WorkerCmd = {
      cmd: cmd.cmd,
      mirror_id: cmd.mirror_id,
      args: cmd.args,
      options: cmd.options,
    };
    logger.info(`Posting command '${cmd.cmd} ${cmd.mirror_id}' to <${worker.id}>`, {
      worker: worker.id,
      ...(cmd.mirror_id === '' ? {} : { mirror: cmd.mirror_id }),
    });
    let reply;
    try {
      reply = await workerClient.postCommand(worker.url, workerCmd, token);
    } catch (err) {
      await force();
      logger.debug(`calling worker <${worker.id}> at ${shownUrl}: ${rawDetail(err)}`, {
        worker: worker.id,
      });
      const call = err instanceof WorkerCallError ? err : undefined;
      const reason = call?.message ?? 'the call failed (details in the debug log)';
      const name = call?.timedOut ? 'workerTimeout' : 'workerUnreachable';
      throw MANAGER_ERRORS[name].withCause(err, worker.id, shownUrl, reason);
    }
    // A worker's 4xx (unknown mirror, bad verb) is the client's mistake: pass the code on.
    const refused = reply.status >= 400 && reply.status < 500;
    if (!refused) await force();
    if (reply.status < 200 || reply.status > 299) {
      const command = cmd.mirror_id === '' ? cmd.cmd : `${cmd.cmd} ${cmd.mirror_id}`;
      const reason = workerReason(reply.status, reply.said);
      const error = MANAGER_ERRORS.workerRefused(worker.id, command, reason);
      throw new ManagerError(error.code, refused ? reply.status : 502, error.message);
    }
    res.json({ message: `successfully send command to worker ${worker.id}` });
  });

  registerAlertRoutes(mount, options.alerts, credentials);

  // Known paths with a wrong method: 405 with Allow.
  mount.finish();

  app.use((req, _res, next) => {
    next(MANAGER_ERRORS.routeNotFound(req.method, req.path));
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const error = toManagerError(err);
    // An unavailable store is logged once per outage by the store, not once per request.
    if (error.status >= 500 && error.code !== MANAGER_ERRORS.storeUnavailable.code) {
      // 503 is a state that passes by itself (a worker not heard from since a restart): a warning.
      const log = error.status === 503 ? logger.warn : logger.error;
      log.call(logger, `in request ${req.method} ${req.path}: ${error.message}`, {
        component: 'http',
        ...(error === err ? {} : { cause: describeCause(err) }),
      });
    }
    res.status(error.status).json({ error: error.message });
  });

  let closed: Promise<void> | undefined;
  return {
    handler: app,
    snapshot,
    statusPage,
    metrics,
    mirrorz,
    credentials,
    close() {
      closed ??= (async () => {
        unsubscribe();
        if (ownClient) await workerClient.close();
        if (ownLogClient) await logClient.close();
      })();
      return closed;
    },
  };
}

function describeCause(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

/** Any error a handler or a body parser raised, as the catalogued error to answer with. */
function toManagerError(err: unknown): ManagerError {
  if (err instanceof ManagerError) return err;
  // A client's mistake found by express itself (a path's bad percent-encoding).
  const e = err as { status?: unknown; message?: unknown } | null;
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    const error = MANAGER_ERRORS.badRequest(String(e.message));
    return new ManagerError(error.code, e.status, error.message);
  }
  if (isStoreError(err, STORE_ERROR_CODES.unavailable))
    return MANAGER_ERRORS.storeUnavailable.withCause(err, err.message);
  if (isStoreError(err))
    return MANAGER_ERRORS.storeFailure.withCause(err, 'use the database', err.message);
  return MANAGER_ERRORS.internal.withCause(err);
}

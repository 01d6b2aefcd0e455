import type { Request, Response } from 'express';
import { WorkerCallError } from '@tunasync/client';
import type { WorkerLogClient, WorkerLogReply } from '@tunasync/client';
import { nameProblem, parseBearerToken, redactUrlUserinfo } from '@tunasync/api-types';
import type { Logger } from '@tunasync/api-types';
import type { Store } from '@tunasync/store';
import type { Credentials } from './credentials';
import { MANAGER_ERRORS, ManagerError } from './errors';
import type { RouteHandler } from './route-mounter';
import { workerReason } from './worker-reason';

export interface LogRouteOptions {
  store: Store;
  credentials: Credentials;
  client: WorkerLogClient;
  /** `[server] public_logs`: anyone may read; else a token is needed once tokens are set. */
  publicLogs: boolean;
  logger: Logger;
}

/** Lines of `?tail=` when not given, and the most accepted (as the worker's route). */
export const LOG_TAIL_DEFAULT = 100;
export const LOG_TAIL_MAX = 10000;

function param(req: Request, name: string): string {
  const value = req.params[name];
  return typeof value === 'string' ? value : '';
}

function tailOf(value: unknown): number {
  if (value === undefined) return LOG_TAIL_DEFAULT;
  const n = typeof value === 'string' && /^[0-9]{1,6}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= LOG_TAIL_MAX)) throw MANAGER_ERRORS.invalidTail(JSON.stringify(value));
  return n;
}

function isTruthy(value: unknown): boolean {
  return typeof value === 'string' && ['1', 'true', 'yes'].includes(value.toLowerCase());
}

/** The `msg` of a worker's `{"msg": …}` refusal, else the start of its body text. */
async function readSaid(body: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of body) {
    if (text.length < 2000) text += String(chunk);
  }
  try {
    const parsed = JSON.parse(text) as { msg?: unknown } | null;
    if (typeof parsed?.msg === 'string') return parsed.msg.slice(0, 500);
  } catch {
    // not JSON: the text itself
  }
  return text.trim().slice(0, 500);
}

/** What a log request reads from the worker, after the checks every log route makes. */
type WorkerLogCall = (
  req: Request,
  res: Response,
  path: (job: string) => string,
) => Promise<{ id: string; job: string; reply: WorkerLogReply }>;

/**
 * The checks and the worker call both log routes share: the reader's token (unless
 * `public_logs`), the mirror name, the worker; the worker's refusal as the manager's error.
 * The call is aborted when the client goes away.
 */
function workerLogCall(options: LogRouteOptions): WorkerLogCall {
  const { store, credentials, client, publicLogs } = options;
  return async (req, res, path) => {
    const id = param(req, 'id');
    const job = param(req, 'job');
    if (!publicLogs && credentials.enabled) {
      const who = credentials.authenticate(parseBearerToken(req.get('authorization')));
      if (who === undefined || (who.kind === 'worker' && who.id !== id)) {
        throw MANAGER_ERRORS.logsNeedToken();
      }
    }
    const problem = nameProblem(job);
    if (problem !== undefined) throw MANAGER_ERRORS.invalidName('mirror name', job, problem);
    const target = path(job);
    const worker = await store.getWorker(id);
    if (!worker) throw MANAGER_ERRORS.invalidWorkerId(id);
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    let reply;
    try {
      reply = await client.get(worker.url, target, credentials.tokenForWorker(id), abort.signal);
    } catch (err) {
      if (!(err instanceof WorkerCallError)) throw err;
      const shownUrl = redactUrlUserinfo(worker.url);
      throw MANAGER_ERRORS.logUnreachable.withCause(err, job, id, shownUrl, err.message);
    }
    if (reply.status !== 200) {
      const said = await readSaid(reply.body);
      const error = MANAGER_ERRORS.logRefused(job, id, workerReason(reply.status, said));
      const refused = reply.status >= 400 && reply.status < 500 && reply.status !== 401;
      throw new ManagerError(error.code, refused ? reply.status : 502, error.message);
    }
    return { id, job, reply };
  };
}

/**
 * `GET /workers/:id/jobs/:job/log[?tail=N][&file=NAME][&follow=1]` (SPEC §7.14): the
 * mirror's log tail, read from its worker's control server (which alone decides which file
 * that is, from its own log_dir) and passed on as `text/plain`; with `follow=1` the answer
 * stays open and streams what the log grows by (chunked), until either side goes away.
 * Public when `public_logs = true` or no token is configured; else it needs a token: an
 * admin's, the shared one, or that worker's own.
 */
export function createLogRouteHandler(options: LogRouteOptions): RouteHandler {
  const call = workerLogCall(options);
  return async (req: Request, res: Response) => {
    const tail = tailOf(req.query.tail);
    const follow = isTruthy(req.query.follow);
    const file = req.query.file;
    if (file !== undefined && typeof file !== 'string') {
      throw MANAGER_ERRORS.badRequest('give file once, as a name of the mirror’s log files');
    }
    const query = new URLSearchParams({ tail: String(tail) });
    if (file !== undefined) query.set('file', file);
    if (follow) query.set('follow', '1');
    const { id, job, reply } = await call(
      req,
      res,
      (mirror) => `jobs/${encodeURIComponent(mirror)}/log?${query.toString()}`,
    );
    res.status(200).set({
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...(reply.logFile === undefined ? {} : { 'X-Log-File': reply.logFile }),
      ...(follow ? { 'X-Accel-Buffering': 'no' } : {}),
    });
    if (follow) res.flushHeaders();
    reply.body.on('error', () => res.destroy());
    reply.body.pipe(res);
    options.logger.debug(`log of [${job}] @<${id}> read${follow ? ' (following)' : ''}`, {
      worker: id,
      mirror: job,
    });
  };
}

/**
 * `GET /workers/:id/jobs/:job/logs` (SPEC §7.14): the mirror's current and recent log files
 * as its worker lists them, `{"files": [{name, size, modified, latest}]}`, newest first;
 * a name is what `…/log?file=NAME` shows. The same access rule as the log route.
 */
export function createLogListHandler(options: LogRouteOptions): RouteHandler {
  const call = workerLogCall(options);
  return async (req: Request, res: Response) => {
    const { reply } = await call(req, res, (mirror) => `jobs/${encodeURIComponent(mirror)}/logs`);
    let text = '';
    for await (const chunk of reply.body) text += String(chunk);
    let files: unknown;
    try {
      files = (JSON.parse(text) as { files?: unknown }).files;
    } catch {
      files = undefined;
    }
    if (!Array.isArray(files)) {
      throw MANAGER_ERRORS.logRefused(
        param(req, 'job'),
        param(req, 'id'),
        'not a list of log files',
      );
    }
    res.json({ files });
  };
}

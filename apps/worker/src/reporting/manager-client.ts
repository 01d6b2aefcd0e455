import { Agent, request } from 'undici';
import type {
  MirrorProgressMessage,
  MirrorSchedules,
  MirrorStatus,
  MirrorStatusReport,
  WorkerStatus,
} from '@tunasync/api-types';
import { ManagerHttpError, ManagerUnreachableError } from '../errors';

export interface ManagerClientOptions {
  /** The manager's base URL, e.g. `http://127.0.0.1:14242` (a trailing `/` is ignored). */
  apiBase: string;
  /** This worker's id (`[global] name`). */
  workerId: string;
  /** PEM of the CA that signed the manager's certificate (`[manager] ca_cert`). */
  ca?: string | Buffer;
  /** Sent as `Authorization: Bearer <token>` (`[manager] token`). Never logged. */
  token?: string;
  /** Milliseconds to wait for a connection and for each answer; 10 s by default. */
  timeoutMs?: number;
}

/**
 * A typed client of the manager routes a worker uses (SPEC §3). A non-2xx answer is a
 * `ManagerHttpError` carrying the manager's `error` text; no answer at all is a
 * `ManagerUnreachableError`.
 */
export class ManagerClient {
  readonly apiBase: string;
  readonly workerId: string;
  private readonly agent: Agent;
  private readonly token: string | undefined;
  private closed = false;

  constructor(options: ManagerClientOptions) {
    this.apiBase = options.apiBase.replace(/\/+$/, '');
    this.workerId = options.workerId;
    this.token = options.token;
    const timeout = options.timeoutMs ?? 10_000;
    // An idle connection is closed after 4 s (before the manager's own 5 s keep-alive
    // ends it), so none outlives a partition to be reused dead; a request on a connection
    // that stopped answering fails after `timeout` and its socket is destroyed.
    this.agent = new Agent({
      connect: { timeout, ...(options.ca !== undefined ? { ca: options.ca } : {}) },
      headersTimeout: timeout,
      bodyTimeout: timeout,
      keepAliveTimeout: 4000,
      keepAliveMaxTimeout: 4000,
    });
  }

  private workerPath(suffix = ''): string {
    return `/workers/${encodeURIComponent(this.workerId)}${suffix}`;
  }

  /** POST `/workers`: register (or re-register) this worker with its control URL. */
  register(url: string): Promise<WorkerStatus> {
    const body: Partial<WorkerStatus> = { id: this.workerId, url };
    if (this.token !== undefined) body.token = this.token;
    return this.send<WorkerStatus>('POST', '/workers', body);
  }

  /** GET `/workers/:id/jobs`: the statuses the manager keeps for this worker. */
  listJobs(signal?: AbortSignal): Promise<MirrorStatus[]> {
    return this.send<MirrorStatus[]>('GET', this.workerPath('/jobs'), undefined, signal);
  }

  /**
   * GET `/ping`, answered within `timeoutMs` (connection included): resolves `true` when
   * the manager answered anything at all (any HTTP status: it is up), `false` otherwise.
   */
  async ping(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      await this.send(
        'GET',
        '/ping',
        undefined,
        signal ? AbortSignal.any([signal, timeout]) : timeout,
      );
      return true;
    } catch (err) {
      return err instanceof ManagerHttpError;
    }
  }

  /**
   * POST `/workers/:id/heartbeat` (tunasync-ts managers): the manager refreshes this
   * worker's `last_online`; `400 invalid workerID …` when it does not know the worker.
   */
  heartbeat(signal?: AbortSignal): Promise<unknown> {
    return this.send<unknown>('POST', this.workerPath('/heartbeat'), {}, signal);
  }

  /** POST `/workers/:id/jobs/:job`: one status report. */
  reportStatus(status: MirrorStatusReport): Promise<MirrorStatus> {
    return this.send<MirrorStatus>(
      'POST',
      this.workerPath(`/jobs/${encodeURIComponent(status.name)}`),
      status,
    );
  }

  /** POST `/workers/:id/schedules`: the whole schedule list. */
  reportSchedules(schedules: MirrorSchedules): Promise<unknown> {
    return this.send<unknown>('POST', this.workerPath('/schedules'), schedules);
  }

  /**
   * POST `/workers/:id/jobs/:job/progress` (§7.9, tunasync-ts managers only): the live
   * progress of a syncing mirror. `signal` aborts it.
   */
  reportProgress(progress: MirrorProgressMessage, signal?: AbortSignal): Promise<unknown> {
    return this.send<unknown>(
      'POST',
      this.workerPath(`/jobs/${encodeURIComponent(progress.name)}/progress`),
      progress,
      signal,
    );
  }

  /** Sends one request; resolves with the parsed JSON body of a 2xx answer. */
  async send<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    const url = `${this.apiBase}${path}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    let answer: Awaited<ReturnType<typeof request>>;
    try {
      answer = await request(url, {
        method,
        headers,
        dispatcher: this.agent,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(signal !== undefined ? { signal } : {}),
      });
    } catch (err) {
      throw new ManagerUnreachableError(url, err);
    }
    let text: string;
    try {
      text = await answer.body.text();
    } catch (err) {
      throw new ManagerUnreachableError(url, err);
    }
    if (answer.statusCode < 200 || answer.statusCode >= 300) {
      throw new ManagerHttpError(url, answer.statusCode, errorText(text));
    }
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ManagerHttpError(
        url,
        answer.statusCode,
        `answer is not JSON: ${text.slice(0, 200)}`,
      );
    }
  }

  /** Closes the connections. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.agent.close();
  }
}

function errorText(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown; msg?: unknown; message?: unknown };
    for (const value of [parsed.error, parsed.msg, parsed.message]) {
      if (typeof value === 'string') return value;
    }
  } catch {
    // not JSON: use the text itself
  }
  return text.slice(0, 200) || '(empty answer)';
}

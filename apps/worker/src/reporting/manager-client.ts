import {
  ManagerBadAnswerError,
  ManagerClient as ApiClient,
  ManagerHttpError,
} from '@tunasync/client';
import type {
  MirrorProgressMessage,
  MirrorSchedules,
  MirrorStatus,
  MirrorStatusReport,
  WorkerStatus,
} from '@tunasync/api-types';

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
 * The manager routes a worker uses (SPEC §3), on `@tunasync/client`'s `ManagerClient` (its
 * route table and undici pool). A non-2xx answer is a `ManagerHttpError` carrying the
 * manager's `error` text; no answer at all is a `ManagerUnreachableError`.
 */
export class ManagerClient {
  readonly apiBase: string;
  readonly workerId: string;
  private readonly api: ApiClient;
  private readonly token: string | undefined;

  constructor(options: ManagerClientOptions) {
    // An idle connection is closed after 4 s (before the manager's own 5 s keep-alive
    // ends it), so none outlives a partition to be reused dead; a request on a connection
    // that stopped answering fails after `timeoutMs` and its socket is destroyed.
    this.api = new ApiClient({
      baseUrl: options.apiBase,
      ...(options.token === undefined ? {} : { token: options.token }),
      ...(options.ca === undefined ? {} : { ca: options.ca }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    this.apiBase = this.api.baseUrl;
    this.workerId = options.workerId;
    this.token = options.token;
  }

  /** POST `/workers`: register (or re-register) this worker with its control URL. */
  register(url: string): Promise<WorkerStatus> {
    const body: Partial<WorkerStatus> & Pick<WorkerStatus, 'id' | 'url'> = {
      id: this.workerId,
      url,
    };
    if (this.token !== undefined) body.token = this.token;
    return lenient(this.api.call('registerWorker', { body }));
  }

  /** GET `/workers/:id/jobs`: the statuses the manager keeps for this worker. */
  listJobs(signal?: AbortSignal): Promise<MirrorStatus[]> {
    return lenient(this.api.call('listWorkerJobs', { params: this.ids(), ...signalOf(signal) }));
  }

  /**
   * GET `/ping`, answered within `timeoutMs` (connection included): resolves `true` when
   * the manager answered anything at all (any HTTP status: it is up), `false` otherwise.
   */
  async ping(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      await this.api.call('ping', {
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
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
    return lenient(
      this.api.call('heartbeat', { params: this.ids(), body: {}, ...signalOf(signal) }),
    );
  }

  /** POST `/workers/:id/jobs/:job`: one status report. */
  reportStatus(status: MirrorStatusReport): Promise<MirrorStatus> {
    return lenient(this.api.call('reportStatus', { params: this.ids(status.name), body: status }));
  }

  /** POST `/workers/:id/schedules`: the whole schedule list. */
  reportSchedules(schedules: MirrorSchedules): Promise<unknown> {
    return lenient(this.api.call('reportSchedules', { params: this.ids(), body: schedules }));
  }

  /**
   * POST `/workers/:id/jobs/:job/progress` (§7.9, tunasync-ts managers only): the live
   * progress of a syncing mirror. `signal` aborts it.
   */
  reportProgress(progress: MirrorProgressMessage, signal?: AbortSignal): Promise<unknown> {
    return lenient(
      this.api.call('reportProgress', {
        params: this.ids(progress.name),
        body: progress,
        ...signalOf(signal),
      }),
    );
  }

  /** Closes the connections. Idempotent. */
  close(): Promise<void> {
    return this.api.close();
  }

  private ids(): { id: string };
  private ids(job: string): { id: string; job: string };
  private ids(job?: string): { id: string; job?: string } {
    return job === undefined ? { id: this.workerId } : { id: this.workerId, job };
  }
}

function signalOf(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal };
}

/** A 2xx answer with an empty body is taken as `undefined` (the worker asks nothing of it). */
async function lenient<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof ManagerBadAnswerError && err.text === '') return undefined as T;
    throw err;
  }
}

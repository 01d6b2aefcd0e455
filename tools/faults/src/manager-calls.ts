import { RestartableManager as ManagerStandIn } from '@tunasync/test-utils';

/** The fields of a stored MirrorStatus the scenarios look at. */
export interface StoredStatus {
  name: string;
  worker: string;
  status: string;
  error_msg: string;
  last_update: string;
}

/** One finished run of `GET /workers/:id/jobs/:job/history`. */
export interface HistoryRun {
  result: string;
  error_msg: string;
  started: string;
  ended: string;
}

/** What `/cmd` answered, and how long the answer took. */
export interface CmdAnswer {
  status: number;
  body: string;
  ms: number;
}

/**
 * The real manager as a child process that can be stopped and brought back on the same port
 * (test-utils' `RestartableManager`), and the calls the scenarios make to it.
 */
export class RestartableManager extends ManagerStandIn {
  /** The port it listens on (kept across restarts). */
  get portNumber(): number {
    return this.port;
  }

  workerJobs(worker = 'w1'): Promise<StoredStatus[]> {
    return this.get<StoredStatus[]>(`/workers/${worker}/jobs`);
  }

  /** The statuses by mirror name; an empty map while the manager does not answer. */
  async statusMap(worker = 'w1'): Promise<Map<string, StoredStatus>> {
    const jobs = await this.workerJobs(worker).catch(() => []);
    return new Map(jobs.map((s) => [s.name, s]));
  }

  history(job: string, worker = 'w1'): Promise<HistoryRun[]> {
    return this.get<HistoryRun[]>(`/workers/${worker}/jobs/${job}/history`);
  }

  /** POST /cmd as tunasynctl does, with a client timeout of `timeoutMs`. */
  async cmd(
    cmd: string,
    mirror: string,
    options: Record<string, boolean> = {},
    timeoutMs = 10_000,
    worker = 'w1',
  ): Promise<CmdAnswer> {
    const started = performance.now();
    const answer = await fetch(`${this.url}/cmd`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ cmd, mirror_id: mirror, worker_id: worker, args: [], options }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await answer.text();
    return { status: answer.status, body, ms: performance.now() - started };
  }
}

import { startManagerProcess, type ManagerProcess } from '@tunasync/test-utils';

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
 * (with its database, or a fresh one), and the calls the scenarios make to it.
 */
export class RestartableManager {
  private proc: ManagerProcess | undefined;
  private port = 0;

  /** `dbDir`: where the LevelDB lives (kept across restarts unless `start` gets another). */
  constructor(private dbDir: string) {}

  async start(dbDir = this.dbDir): Promise<this> {
    this.dbDir = dbDir;
    const args = this.port === 0 ? [] : ['--port', String(this.port)];
    this.proc = await startManagerProcess({ dbDir, args });
    this.port = this.proc.port;
    return this;
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    await proc?.stop();
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get portNumber(): number {
    return this.port;
  }

  output(): string {
    return this.proc?.output() ?? '';
  }

  private async get<T>(route: string): Promise<T> {
    const answer = await fetch(`${this.url}${route}`, { signal: AbortSignal.timeout(5000) });
    if (!answer.ok) throw new Error(`GET ${route}: ${answer.status} ${await answer.text()}`);
    return (await answer.json()) as T;
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

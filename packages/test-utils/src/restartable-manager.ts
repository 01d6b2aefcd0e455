import {
  startManagerProcess,
  type ManagerProcess,
  type ManagerProcessOptions,
} from './manager-process';

/**
 * The real manager as a child process that can be stopped and brought back on the same port
 * (with its database, or another), and the read calls tests make to it. The manager stand-in
 * of the worker's end-to-end tests and the fault suite; each adds its own calls on top.
 */
export class RestartableManager {
  private proc: ManagerProcess | undefined;
  private portValue = 0;
  private dbDirValue: string;

  /** `dbDir`: where the LevelDB lives (kept across restarts unless `start` gets another). */
  constructor(
    dbDir: string,
    private readonly options: Omit<ManagerProcessOptions, 'dbDir'> = {},
  ) {
    this.dbDirValue = dbDir;
  }

  /** The database directory of the running (or last) manager. */
  get dbDir(): string {
    return this.dbDirValue;
  }

  /** Starts the manager (on its first port again after a stop); resolves once it answers. */
  async start(dbDir = this.dbDirValue): Promise<this> {
    this.dbDirValue = dbDir;
    const args = [...(this.options.args ?? [])];
    if (this.portValue !== 0) args.push('--port', String(this.portValue));
    this.proc = await startManagerProcess({ ...this.options, args, dbDir });
    this.portValue = this.proc.port;
    return this;
  }

  /** Stops it (SIGTERM); a no-op when it is not running. */
  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    await proc?.stop();
  }

  get url(): string {
    return `http://127.0.0.1:${this.portValue}`;
  }

  get port(): number {
    return this.portValue;
  }

  /** What the running (or last) manager printed; `''` once stopped. */
  output(): string {
    return this.proc?.output() ?? '';
  }

  /** `GET route` as JSON; rejects naming the route and status on a non-2xx answer. */
  async get<T>(route: string, timeoutMs = 5000): Promise<T> {
    const answer = await fetch(`${this.url}${route}`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!answer.ok) throw new Error(`GET ${route}: ${answer.status} ${await answer.text()}`);
    return (await answer.json()) as T;
  }
}

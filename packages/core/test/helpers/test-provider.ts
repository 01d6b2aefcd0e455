import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { LayeredContext } from '../../src';
import type { JobHook, Provider, ProviderContextValues } from '../../src';

export interface TestProviderOptions {
  name?: string;
  workingDir?: string;
  logDir?: string;
  logFile?: string;
  interval?: number;
  retry?: number;
  timeout?: number;
  hooks?: JobHook[];
}

/** The common fields of the in-test providers. */
abstract class BaseTestProvider implements Provider {
  readonly name: string;
  readonly upstream = 'rsync://example.invalid/test/';
  readonly type = 'test';
  readonly workingDir: string;
  readonly logDir: string;
  readonly interval: number;
  readonly retry: number;
  readonly timeout: number;
  readonly isMaster = true;
  readonly context: LayeredContext<ProviderContextValues>;
  private readonly hookList: JobHook[];
  size: string | undefined;

  constructor(options: TestProviderOptions) {
    this.name = options.name ?? 'test-mirror';
    this.workingDir = options.workingDir ?? '/nonexistent/working';
    this.logDir = options.logDir ?? '/nonexistent/log';
    this.interval = options.interval ?? 60;
    this.retry = options.retry ?? 1;
    this.timeout = options.timeout ?? 0;
    this.context = new LayeredContext<ProviderContextValues>({
      logFile: options.logFile ?? '/dev/null',
    });
    this.hookList = [...(options.hooks ?? [])];
  }

  logFile(): string {
    return this.context.get('logFile') ?? '/dev/null';
  }
  hooks(): readonly JobHook[] {
    return this.hookList;
  }
  addHook(hook: JobHook): void {
    this.hookList.push(hook);
  }
  dataSize(): string | undefined {
    return this.size;
  }
  abstract run(): Promise<void>;
  abstract terminate(): Promise<void>;
}

interface Deferred {
  resolve(): void;
  reject(err: Error): void;
}

/**
 * A provider whose runs the test ends by hand: each `run()` waits until the test calls
 * `succeed()` / `fail(msg)` (or, with `auto`, ends by itself); `terminate()` ends the run
 * with an error (or fails, when `terminateError` is set).
 */
export class ControlledProvider extends BaseTestProvider {
  runs = 0;
  active = 0;
  maxActive = 0;
  terminations = 0;
  terminateError: Error | undefined;
  /** Ends each run by itself: undefined = success, a string = failure message. */
  auto: (() => Promise<string | undefined>) | undefined;
  private pending: Deferred | undefined;
  private waiters: (() => void)[] = [];

  run(): Promise<void> {
    if (this.pending) return Promise.reject(new Error('run() while running'));
    this.runs++;
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    const p = new Promise<void>((resolve, reject) => {
      this.pending = { resolve, reject };
    }).finally(() => {
      this.pending = undefined;
      this.active--;
    });
    for (const w of this.waiters.splice(0)) w();
    if (this.auto) {
      const auto = this.auto;
      void auto().then((msg) => (msg === undefined ? this.succeed() : this.fail(msg)));
    }
    return p;
  }

  /** Resolves when a run is in progress. */
  whenRunning(): Promise<void> {
    if (this.pending) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  get isRunning(): boolean {
    return this.pending !== undefined;
  }

  succeed(): void {
    this.pending?.resolve();
  }

  fail(message: string): void {
    this.pending?.reject(new Error(message));
  }

  async terminate(): Promise<void> {
    this.terminations++;
    if (this.terminateError) throw this.terminateError;
    this.fail('terminated');
  }
}

/**
 * A provider that runs a real command in its own process group (through the context's
 * command wrapper, like the real providers), writing to the log file.
 */
export class ProcessProvider extends BaseTestProvider {
  child: ChildProcess | undefined;
  spawned: string[][] = [];
  private exited: Promise<void> | undefined;

  constructor(
    options: TestProviderOptions,
    readonly argv: string[],
    readonly env: Record<string, string> = {},
  ) {
    super(options);
  }

  async run(): Promise<void> {
    let spec = { argv: this.argv, cwd: this.workingDir, env: this.env };
    const wrapper = this.context.get('commandWrapper');
    if (wrapper) spec = await wrapper.wrap(spec);
    this.spawned.push(spec.argv);
    const logFile = this.logFile();
    const fd = openSync(logFile, 'a');
    const [command, ...args] = spec.argv as [string, ...string[]];
    const child = spawn(command, args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    this.child = child;
    this.exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(
      (resolve, reject) => {
        child.once('error', reject);
        child.once('close', (c, s) => resolve([c, s]));
      },
    );
    this.child = undefined;
    if (code !== 0) throw new Error(`exit ${code ?? signal}`);
  }

  async terminate(): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    await this.context.get('commandWrapper')?.terminate?.();
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // gone
    }
    await this.exited;
  }
}

/** Whether a process exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

import type { Logger } from '@tunasync/api-types';
import { nameProblem } from '@tunasync/api-types';
import type { CommandSpec } from './command-table';
import { CTL_ERRORS, CtlError } from './errors';
import type { EndpointFlags } from './load-config';
import { resolveEndpoint, SYSTEM_CONFIG_FILE, userConfigFile } from './load-config';
import { ManagerClient } from './manager-client';
import type { TextSink } from './stderr-logger';

/** The names `tunasynctl` is installed under (the same program). */
export type ProgramName = 'tunasynctl' | 'tunasyncctl';

/** What the program reads and writes; `process` in production, sinks in tests. */
export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
  env: Readonly<Record<string, string | undefined>>;
  /** Default `/etc/tunasync/ctl.conf`. */
  systemConfigFile?: string;
  /** The name the program was called by, for help and messages (default `tunasynctl`). */
  programName?: ProgramName;
  /** Time for one request to the manager (default 10 s). */
  timeoutMs?: number;
}

export type FlagValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Everything a command's `execute` gets: its flags and arguments, output, and the manager. */
export class CommandContext {
  private client: ManagerClient | undefined;

  constructor(
    readonly spec: CommandSpec,
    readonly values: FlagValues,
    readonly positionals: readonly string[],
    readonly io: CliIo,
    readonly logger: Logger,
  ) {}

  string(name: string): string | undefined {
    const value = this.values[name];
    return typeof value === 'string' ? value : undefined;
  }

  bool(name: string): boolean {
    return this.values[name] === true;
  }

  /** A usage error of this command (exit 2, the usage printed after the message). */
  usageError(message: string): CtlError {
    return CTL_ERRORS.usage(`${this.spec.name}: ${message}`, this.spec.usage);
  }

  /** The `-w/--worker` value, required and a valid worker name. */
  requireWorker(): string {
    const worker = this.string('worker');
    if (worker === undefined || worker === '') {
      throw this.usageError('please specify the worker with -w WORKER');
    }
    return this.checkName('worker', worker);
  }

  /** A worker or mirror name as the command line gave it, checked against SPEC §5's rule. */
  checkName(what: 'worker' | 'mirror' | 'admin', name: string): string {
    const problem = nameProblem(name);
    if (problem !== undefined) {
      throw this.usageError(`invalid ${what} name ${JSON.stringify(name)}: ${problem}`);
    }
    return name;
  }

  /** Write the command's output (stdout). */
  print(text: string): void {
    this.io.stdout.write(text);
  }

  /** The manager client, after reading the config files (once). */
  async connect(): Promise<ManagerClient> {
    if (this.client !== undefined) return this.client;
    const portText = this.string('port');
    let port: number | undefined;
    if (portText !== undefined) {
      port = /^\d+$/.test(portText) ? Number(portText) : NaN;
      if (!(port >= 1 && port <= 65535)) {
        throw this.usageError(`invalid port ${JSON.stringify(portText)}: must be 1 to 65535`);
      }
    }
    const flags: EndpointFlags = {
      config: this.string('config'),
      manager: this.string('manager'),
      port,
      caCert: this.string('ca-cert'),
      token: this.string('token'),
    };
    const endpoint = await resolveEndpoint(
      flags,
      {
        systemFile: this.io.systemConfigFile ?? SYSTEM_CONFIG_FILE,
        userFile: userConfigFile(this.io.env.HOME),
      },
      this.logger,
      this.io.timeoutMs,
    );
    this.client = new ManagerClient(endpoint, this.logger);
    return this.client;
  }
}

/** Re-throw a `CtlError` with what was being done in front of its message. */
export async function doing<T>(what: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof CtlError) {
      throw new CtlError(err.code, `${what}: ${err.message}`, {
        cause: err.cause ?? err,
        managerSaid: err.managerSaid,
      });
    }
    throw err;
  }
}

/** A command module: `commands/<name>.ts` exports one `execute`. */
export interface CommandModule {
  execute(ctx: CommandContext): Promise<void>;
}

import { readFileSync } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';
import { LOG_FORMATS, checkSummary, urlPasswords } from '@tunasync/api-types';
import type { LogFormat, Logger } from '@tunasync/api-types';
import { checkWorkerConfig, loadWorkerConfig } from './config/load-worker-config';
import type { WorkerConfig } from './config/worker-config';
import { UsageError, WorkerConfigError } from './errors';
import { createWorkerLogger } from './logging';
import { defaultStateDir } from './runtime/state-dir';
import { startWorker as startRuntime } from './runtime/start-worker';

/** Exit codes of SPEC §6. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export const USAGE = `Usage: tunasync-worker --config FILE [options]
       tunasync-worker --check-config FILE [--strict]

Runs a tunasync worker: syncs the mirrors of worker.conf and reports to the manager(s).

Options:
  -c, --config FILE        worker.conf to run
      --check-config FILE  check FILE (and its includes), print every problem, start nothing;
                           exit 2 on any error
      --strict             unknown keys are errors, not warnings
      --state-dir DIR      where outboxes and job states are kept
                           (default: <log_dir base>/.tunasync-worker/<name>)
      --pidfile FILE       write the process id to FILE (removed at exit)
      --with-systemd       log lines without time-stamps or colours, for journald
      --log-format FORMAT  "text" (default: [26-01-02 15:04:05][INFO][worker] message k="v") or
                           "json" (one JSON object per line, for log shippers)
  -v, --verbose            log debug messages too
      --debug              log debug messages and stack traces
  -h, --help               print this help
      --version            print the version
`;

/** What a running worker gives back to the CLI. */
export interface RunningWorker {
  /** Resolves when the worker has halted (SIGINT/SIGTERM handled). */
  readonly finished: Promise<void>;
}

export interface StartWorkerContext {
  configFile: string;
  strict: boolean;
  stateDir: string;
  logger: Logger;
}

/** Starts the worker runtime for a loaded config. */
export type StartWorker = (
  config: WorkerConfig,
  context: StartWorkerContext,
) => Promise<RunningWorker>;

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
}

export interface CliDeps {
  /** The runtime (default: the real one, with signal handlers). */
  startWorker?: StartWorker;
  /** Logger to use instead of the one built from the flags (tests). */
  logger?: Logger;
}

export function version(): string {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function parse(argv: string[]) {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string', short: 'c' },
        'check-config': { type: 'string' },
        strict: { type: 'boolean', default: false },
        'state-dir': { type: 'string' },
        pidfile: { type: 'string' },
        'with-systemd': { type: 'boolean', default: false },
        'log-format': { type: 'string', default: 'text' },
        verbose: { type: 'boolean', short: 'v', default: false },
        debug: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const logFormat = values['log-format'];
  if (!(LOG_FORMATS as readonly string[]).includes(logFormat)) {
    throw new UsageError(`--log-format: must be "text" or "json", got "${logFormat}"`);
  }
  return { ...values, 'log-format': logFormat as LogFormat };
}

async function checkOnly(file: string, strict: boolean, io: CliIo): Promise<number> {
  const result = await checkWorkerConfig(file, { strict });
  for (const problem of result.problems) io.stderr.write(`error: ${problem}\n`);
  for (const warning of result.warnings) io.stderr.write(`warning: ${warning}\n`);
  if (!result.ok || !result.config) {
    const summary = checkSummary(file, result.problems.length, result.warnings.length);
    io.stderr.write(`${summary}\n`);
    return EXIT.usage;
  }
  const included = result.config.include.files.length;
  const detail =
    `${result.config.mirrors.length} mirror(s)` +
    (included > 0 ? ` (${included} included file(s))` : '');
  io.stdout.write(`${checkSummary(file, 0, result.warnings.length, detail)}\n`);
  return EXIT.ok;
}

/**
 * The whole command line, without touching `process.exit`: resolves with the exit code.
 * Usage and config errors → 2, runtime failures → 1.
 */
export async function runCli(argv: string[], io: CliIo, deps: CliDeps = {}): Promise<number> {
  let flags: ReturnType<typeof parse>;
  try {
    flags = parse(argv);
  } catch (err) {
    io.stderr.write(`tunasync-worker: ${(err as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (flags.help) {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (flags.version) {
    io.stdout.write(`tunasync-worker ${version()}\n`);
    return EXIT.ok;
  }
  if (flags['check-config'] !== undefined)
    return checkOnly(flags['check-config'], flags.strict, io);
  const configFile = flags.config;
  if (configFile === undefined) {
    io.stderr.write(`tunasync-worker: --config FILE is required\n\n${USAGE}`);
    return EXIT.usage;
  }

  let config: WorkerConfig;
  let warnings: string[];
  try {
    ({ config, warnings } = await loadWorkerConfig(configFile, { strict: flags.strict }));
  } catch (err) {
    if (err instanceof WorkerConfigError) {
      for (const problem of err.problems) io.stderr.write(`error: ${problem}\n`);
      for (const warning of err.warnings) io.stderr.write(`warning: ${warning}\n`);
      io.stderr.write(
        `tunasync-worker: ${configFile} has ${err.problems.length} error(s); nothing started\n`,
      );
      return EXIT.usage;
    }
    throw err;
  }

  const secrets = [
    config.manager.token ?? '',
    ...config.mirrors.map((m) => m.password ?? ''),
    ...[...config.manager.api_base_list, ...config.mirrors.map((m) => m.upstream ?? '')].flatMap(
      urlPasswords,
    ),
  ];
  const logger = (
    deps.logger ??
    createWorkerLogger({
      verbose: flags.verbose,
      debug: flags.debug,
      withSystemd: flags['with-systemd'],
      format: flags['log-format'],
      stream: io.stderr,
      secrets,
    })
  ).child({ worker: config.global.name });
  for (const warning of warnings) logger.warn(warning);

  const pidfile = flags.pidfile;
  if (pidfile !== undefined) {
    try {
      await writeFile(pidfile, `${process.pid}\n`);
    } catch (err) {
      logger.error(`cannot write pid file ${pidfile}: ${(err as Error).message}`);
      return EXIT.failure;
    }
  }
  try {
    const start: StartWorker = deps.startWorker ?? startRuntime;
    const worker = await start(config, {
      configFile,
      strict: flags.strict,
      stateDir: flags['state-dir'] ?? defaultStateDir(config),
      logger,
    });
    await worker.finished;
    return EXIT.ok;
  } catch (err) {
    logger.error(
      `tunasync-worker failed: ${(err as Error).message}`,
      flags.debug ? { stack: (err as Error).stack } : {},
    );
    return EXIT.failure;
  } finally {
    if (pidfile !== undefined) await unlink(pidfile).catch(() => undefined);
  }
}

/** Entry point of `bin/tunasync-worker.js`. */
export function main(argv: string[] = process.argv.slice(2)): void {
  runCli(argv, { stdout: process.stdout, stderr: process.stderr }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(
        `tunasync-worker: unexpected error: ${(err as Error).stack ?? String(err)}\n`,
      );
      process.exitCode = EXIT.failure;
    },
  );
}

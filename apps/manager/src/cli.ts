import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';
import { LOG_FORMATS, checkSummary, createLineLogger, urlPasswords } from '@tunasync/api-types';
import type { LogFormat, Logger } from '@tunasync/api-types';
import {
  STORE_ERROR_CODES,
  describePlan,
  isStoreError,
  parseRedisAddress,
  planDatabase,
} from '@tunasync/store';
import { MANAGER_ERRORS, isManagerError } from './errors';
import { runImportCommand } from './import-command';
import { loadManagerConfig } from './manager-config';
import type { ManagerFlags, ManagerSettings } from './manager-config';
import { runManager } from './run-manager';

/** Exit codes of SPEC §6. */
export const EXIT_OK = 0;
export const EXIT_RUNTIME = 1;
export const EXIT_USAGE = 2;

const PROGRAM = 'tunasync-manager';

export const USAGE = `Usage: ${PROGRAM} [options]
       ${PROGRAM} import --from bolt:FILE|leveldb:DIR [--to DIR]   (see import --help)

Runs the tunasync manager: the HTTP API that workers report to and tunasynctl talks to.

Options:
  -c, --config FILE         load the manager configuration (manager.conf) from FILE
      --addr ADDR           listen on ADDR (default 127.0.0.1)
      --port PORT           listen on PORT (default 14242; 0 picks a free port)
      --cert FILE           TLS certificate; with --key, serve HTTPS
      --key FILE            TLS private key
      --db-file PATH|URL    the database (default /var/lib/tunasync/tunasync.db): a LevelDB
                            directory, or a Go manager's bolt file or LevelDB directory,
                            imported beside it at the first start; for redis
                            redis://[user:password@]host:port/db
      --db-type TYPE        "leveldb", "bolt" or "redis" (unset: what the db_file holds decides)
  -v, --verbose             log debug lines too
      --debug               debug mode: debug lines and one line per request
      --with-systemd        log without timestamps (journald adds its own)
      --log-format FORMAT   "text" (default: [26-01-02 15:04:05][INFO][manager] message k="v") or
                            "json" (one JSON object per line, for log shippers)
      --pidfile FILE        write the process id to FILE while running
      --check-config FILE   check FILE (with the other flags), print every problem and the
                            database it would open or import, exit
      --strict              unknown configuration keys are errors, not warnings
  -h, --help                print this help and exit
      --version             print the version and exit

Flags override the file. Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error
(a db_file that holds no usable database included).
`;

export function managerVersion(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  /** Where the daemon's log goes; `stdout` when not given. */
  log?: Writable;
  /** Process to listen on for SIGTERM/SIGINT (the real one by default). */
  signals?: NodeJS.EventEmitter;
}

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) > 65535) {
    throw MANAGER_ERRORS.usage(`--port: must be an integer from 0 to 65535, got "${text}"`);
  }
  return Number(text);
}

function parse(argv: string[]) {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        addr: { type: 'string' },
        port: { type: 'string' },
        cert: { type: 'string' },
        key: { type: 'string' },
        'db-file': { type: 'string' },
        'db-type': { type: 'string' },
        verbose: { type: 'boolean', short: 'v' },
        debug: { type: 'boolean' },
        'with-systemd': { type: 'boolean' },
        'log-format': { type: 'string' },
        pidfile: { type: 'string' },
        'check-config': { type: 'string' },
        strict: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
    if (positionals.length > 0) {
      throw MANAGER_ERRORS.usage(`unexpected argument "${positionals[0] as string}"`);
    }
    const logFormat = values['log-format'] ?? 'text';
    if (!(LOG_FORMATS as readonly string[]).includes(logFormat)) {
      throw MANAGER_ERRORS.usage(`--log-format: must be "text" or "json", got "${logFormat}"`);
    }
    const flags: ManagerFlags = {};
    if (values.config !== undefined) flags.config = values.config;
    if (values.addr !== undefined) flags.addr = values.addr;
    const port = parsePort(values.port);
    if (port !== undefined) flags.port = port;
    if (values.cert !== undefined) flags.cert = values.cert;
    if (values.key !== undefined) flags.key = values.key;
    if (values['db-file'] !== undefined) flags.dbFile = values['db-file'];
    if (values['db-type'] !== undefined) flags.dbType = values['db-type'];
    if (values.debug) flags.debug = true;
    if (values.strict) flags.strict = true;
    return { values, flags, logFormat: logFormat as LogFormat };
  } catch (err) {
    throw isManagerError(err, 'usage') ? err : MANAGER_ERRORS.usage((err as Error).message);
  }
}

/**
 * Resolves on SIGTERM or SIGINT. SIGHUP (a `systemctl reload`, a closed terminal) re-reads
 * the credential files (`onHup`) and never stops the manager; the rest of the configuration
 * is read at start only.
 */
function waitForSignal(signals: NodeJS.EventEmitter, onHup: () => void): Promise<string> {
  return new Promise((resolve) => {
    const handler = (name: string) => {
      signals.off('SIGTERM', onTerm);
      signals.off('SIGINT', onInt);
      signals.off('SIGHUP', onHup);
      resolve(name);
    };
    const onTerm = () => handler('SIGTERM');
    const onInt = () => handler('SIGINT');
    signals.on('SIGTERM', onTerm);
    signals.on('SIGINT', onInt);
    signals.on('SIGHUP', onHup);
  });
}

/**
 * What db_file holds cannot be used (foreign, damaged, newer): like a configuration error,
 * exit 2 — the operator must point db_file elsewhere or restore it. A locked database or an
 * I/O failure is a runtime failure (exit 1).
 */
const UNUSABLE_DATABASE: ReadonlySet<string> = new Set([
  STORE_ERROR_CODES.foreign,
  STORE_ERROR_CODES.boltCorrupt,
  STORE_ERROR_CODES.goDatabase,
  STORE_ERROR_CODES.notADirectory,
  STORE_ERROR_CODES.corrupt,
  STORE_ERROR_CODES.unsupportedVersion,
]);

function reportStartFailure(logger: Logger, err: unknown): number {
  if (isStoreError(err)) {
    logger.error(`cannot start: ${err.message}`);
    return UNUSABLE_DATABASE.has(err.code) ? EXIT_USAGE : EXIT_RUNTIME;
  }
  if (isManagerError(err)) {
    logger.error(`cannot start: ${err.message}`);
  } else {
    logger.error(`cannot start: ${(err as Error).message ?? String(err)}`);
    logger.debug((err as Error).stack ?? String(err));
  }
  return EXIT_RUNTIME;
}

type Write = (stream: Writable, text: string) => void;

/**
 * The end of `--check-config`: says which database a start would open or import (reading
 * only), then the summary line. A database in use (the running manager's) is a warning; one
 * that cannot be used (or read) is an error of the configuration, exit 2.
 */
async function checkDatabase(
  settings: ManagerSettings,
  checkFile: string,
  warnings: number,
  io: CliIo,
  write: Write,
): Promise<number> {
  if (settings.dbType === 'redis') {
    // Redis is not asked at a check: the address was checked with the file.
    const { redacted } = parseRedisAddress(settings.dbFile);
    write(io.stdout, `database: a start would use the Redis at ${redacted} (Go's layout, shared)`);
    write(io.stdout, checkSummary(checkFile, 0, warnings));
    return EXIT_OK;
  }
  try {
    const plan = await planDatabase(settings.dbFile, settings.dbType);
    write(io.stdout, `database: a start would ${describePlan(plan)}`);
    write(io.stdout, checkSummary(checkFile, 0, warnings));
    return EXIT_OK;
  } catch (err) {
    if (!isStoreError(err)) throw err;
    if (err.code === STORE_ERROR_CODES.locked) {
      write(io.stderr, `warning: ${err.message}`);
      write(io.stdout, checkSummary(checkFile, 0, warnings + 1));
      return EXIT_OK;
    }
    write(io.stderr, `error: ${err.message}`);
    write(io.stderr, checkSummary(checkFile, 1, warnings));
    return EXIT_USAGE;
  }
}

/** `tunasync-manager import …`: one line per outcome, the exit code. */
async function importCli(argv: string[], io: CliIo, write: Write): Promise<number> {
  const logger = createLineLogger({ component: 'manager', sink: io.stderr });
  try {
    for (const line of await runImportCommand(argv, logger)) write(io.stdout, line);
    return EXIT_OK;
  } catch (err) {
    if (isManagerError(err, 'importRefused')) {
      write(io.stderr, err.message);
      return EXIT_USAGE;
    }
    if (isStoreError(err)) {
      write(io.stderr, `${PROGRAM} import: ${err.message}`);
      return UNUSABLE_DATABASE.has(err.code) ? EXIT_USAGE : EXIT_RUNTIME;
    }
    throw err;
  }
}

/**
 * The whole program with its exit code: flags, config, the daemon until SIGTERM/SIGINT.
 * Never exits the process itself (`main` does).
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const write = (stream: Writable, text: string) =>
    stream.write(text.endsWith('\n') ? text : `${text}\n`);
  if (argv[0] === 'import') return importCli(argv.slice(1), io, write);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    write(io.stderr, `${PROGRAM}: ${(err as Error).message}\nRun "${PROGRAM} --help" for usage.`);
    return EXIT_USAGE;
  }
  const { values, flags, logFormat } = parsed;
  if (values.help) {
    write(io.stdout, USAGE);
    return EXIT_OK;
  }
  if (values.version) {
    write(io.stdout, `${PROGRAM} ${managerVersion()}`);
    return EXIT_OK;
  }

  const checkFile = values['check-config'];
  const check = await loadManagerConfig(
    checkFile === undefined ? flags : { ...flags, config: checkFile },
  );
  for (const warning of check.warnings) write(io.stderr, `warning: ${warning}`);
  for (const problem of check.problems) write(io.stderr, `error: ${problem}`);
  if (checkFile !== undefined) {
    if (check.problems.length > 0 || !check.settings) {
      write(io.stderr, checkSummary(checkFile, check.problems.length, check.warnings.length));
      return EXIT_USAGE;
    }
    return checkDatabase(check.settings, checkFile, check.warnings.length, io, write);
  }
  if (!check.settings) return EXIT_USAGE;
  const settings = check.settings;

  const logger = createLineLogger({
    component: 'manager',
    level: values.verbose || settings.debug ? 'debug' : 'info',
    withSystemd: values['with-systemd'] === true,
    format: logFormat,
    sink: io.log ?? io.stdout,
    // The shared token and a Redis password never reach a log line (as the worker's secrets).
    secrets: [settings.token ?? '', ...urlPasswords(settings.dbFile)],
    stacks: settings.debug,
  });

  let running;
  try {
    running = await runManager(settings, { logger });
  } catch (err) {
    return reportStartFailure(logger, err);
  }
  const pidfile = values.pidfile;
  if (pidfile !== undefined) {
    try {
      await writeFile(pidfile, `${process.pid}\n`);
    } catch (err) {
      logger.error(`cannot write pidfile ${pidfile}: ${(err as Error).message}`);
      await running.close();
      return EXIT_RUNTIME;
    }
  }
  logger.info(
    `${PROGRAM} ${managerVersion()} listening on ${running.url} (database ${running.database})`,
  );

  const signals = io.signals ?? process;
  const onHup = () => {
    running.reloadCredentials().then(
      (result) => {
        if (result === undefined) {
          logger.info(
            'SIGHUP ignored: no credential file to re-read, and the rest of the configuration is read at start only (restart to change it)',
          );
        } else if (result.ok) logger.info(`SIGHUP: ${result.line}`);
        else logger.error(`SIGHUP: ${result.line}`);
      },
      (err: unknown) => logger.error(`SIGHUP: credentials not reloaded: ${(err as Error).message}`),
    );
  };
  const name = await waitForSignal(signals, onHup);
  logger.info(`${name} received: finishing running requests and closing the database`);
  let code = EXIT_OK;
  try {
    await running.close();
  } catch (err) {
    logger.error(`shutdown failed: ${(err as Error).message}`);
    code = EXIT_RUNTIME;
  }
  if (pidfile !== undefined) await rm(pidfile, { force: true });
  logger.info('stopped');
  return code;
}

/** Entry of `bin/tunasync-manager.js`. */
export function main(argv: string[] = process.argv.slice(2)): void {
  runCli(argv, { stdout: process.stdout, stderr: process.stderr }).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(
        `${PROGRAM}: unexpected failure: ${(err as Error).stack ?? String(err)}\n`,
      );
      process.exit(EXIT_RUNTIME);
    },
  );
}

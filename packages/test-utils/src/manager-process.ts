import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The built manager's entry, found from the repository root (never imported). */
export const MANAGER_BIN = resolve(
  __dirname,
  '..',
  '..',
  '..',
  'apps',
  'manager',
  'bin',
  'tunasync-manager.js',
);

const STOP_TIMEOUT_MS = 15_000;

export interface ManagerProcessOptions {
  /**
   * Extra manager.conf text (TOML) appended after the generated `[server]`/`[files]` tables'
   * keys: give whole tables such as `[server]\ntoken = "t"` only for keys not generated
   * (addr, port, db_file are). Use `args` for anything else.
   */
  config?: string;
  /** Extra command-line flags. */
  args?: string[];
  /** Database directory to use (to restart on the same data); a fresh temp one by default. */
  dbDir?: string;
  /** Run on Redis instead: `db_type = "redis"`, `db_file` this address (no database dir). */
  redisUrl?: string;
  /** Environment variables added to the manager's (`TZ`, say). */
  env?: Record<string, string>;
  /** How long to wait for `/ping` (10 s). */
  timeoutMs?: number;
}

export interface ManagerProcess {
  url: string;
  port: number;
  dbDir: string;
  configFile: string;
  child: ChildProcess;
  /** Everything the manager printed so far (stdout and stderr). */
  output(): string;
  /**
   * SIGTERM, wait for the exit (SIGKILL after 15 s), remove the temp dir; returns the exit
   * code (null when it had to be killed). Idempotent.
   */
  stop(): Promise<number | null>;
}

/**
 * Starts the built `tunasync-manager` as a real child process on 127.0.0.1 (a port the
 * manager picks), with a temp manager.conf and a temp LevelDB directory, and waits until
 * `GET /ping` answers. Run `npx nx run @tunasync/manager:build` first (depend on it in Nx).
 */
export function startManagerProcess(options: ManagerProcessOptions = {}): Promise<ManagerProcess> {
  return launchManager({
    tempPrefix: 'tunasync-manager-proc-',
    timeoutMs: options.timeoutMs,
    env: options.env,
    writeConfig: async (dir) => {
      const dbDir = options.dbDir ?? join(dir, 'db');
      const configFile = join(dir, 'manager.conf');
      const extra = options.config ?? '';
      const hasServer = /^\s*\[server\]/m.test(extra);
      const hasFiles = /^\s*\[files\]/m.test(extra);
      const [dbType, dbFile] =
        options.redisUrl === undefined ? ['leveldb', dbDir] : ['redis', options.redisUrl];
      const generated = [
        hasServer ? '' : '[server]\naddr = "127.0.0.1"\nport = 0\n',
        hasFiles ? '' : `[files]\ndb_type = "${dbType}"\ndb_file = ${JSON.stringify(dbFile)}\n`,
      ].join('');
      await writeFile(configFile, `${generated}${extra}\n`);
      const args: string[] = [];
      if (hasServer) args.push('--addr', '127.0.0.1', '--port', '0');
      if (hasFiles) args.push('--db-type', dbType, '--db-file', dbFile);
      args.push(...(options.args ?? []));
      return { dbDir, configFile, args };
    },
  });
}

/** The files `launchManager`'s `writeConfig` made and the flags that follow `--config`. */
export interface ManagerFiles {
  dbDir: string;
  configFile: string;
  args: string[];
}

export interface ManagerLaunch {
  /** Prefix of the temp dir the config (and by default the database) goes in. */
  tempPrefix: string;
  /** Writes manager.conf into the temp dir. */
  writeConfig(dir: string): Promise<ManagerFiles>;
  /**
   * The CA to trust: the manager must then listen on https, and `/ping` is asked over TLS
   * with that CA (plain `fetch` cannot trust a test CA). Without it `/ping` goes through
   * `fetch`.
   */
  ca?: string;
  /** How long to wait for `/ping` (10 s). */
  timeoutMs?: number;
  /** Environment variables set for the manager over this process's. */
  env?: Record<string, string> | undefined;
}

function pingOnce(url: string, ca: string | undefined): Promise<boolean> {
  if (ca === undefined) {
    return fetch(`${url}/ping`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
  }
  return new Promise((done) => {
    const req = request(`${url}/ping`, { ca, agent: false, timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode === 200));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(false));
    req.end();
  });
}

/**
 * What `startManagerProcess` and `startTlsManagerProcess` share: a temp dir with the
 * config `writeConfig` writes, the built manager as a child process (output captured),
 * the wait for its "listening on" line and for `/ping`, and `stop()`. On a failed start
 * the child is stopped and the temp dir removed before the error is thrown.
 */
export async function launchManager(launch: ManagerLaunch): Promise<ManagerProcess> {
  if (!existsSync(join(MANAGER_BIN, '..', '..', 'dist', 'cli.js'))) {
    throw new Error(
      'apps/manager is not built: run `npx nx run @tunasync/manager:build` (or make this test target depend on it)',
    );
  }
  const dir = await mkdtemp(join(tmpdir(), launch.tempPrefix));
  let files: ManagerFiles;
  try {
    files = await launch.writeConfig(dir);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const { dbDir, configFile } = files;
  const child = spawn(process.execPath, [MANAGER_BIN, '--config', configFile, ...files.args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...launch.env },
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));

  let stopping: Promise<number | null> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      // A manager that does not exit on SIGTERM is killed, so no test hangs on it; the
      // exit code is then null, which a test that expects 0 reports.
      const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const code = await exited;
      clearTimeout(killer);
      await rm(dir, { recursive: true, force: true });
      return code;
    })();
    return stopping;
  };

  const listening =
    launch.ca === undefined
      ? /listening on (https?:\/\/[^\s]+)/
      : /listening on (https:\/\/[^\s]+)/;
  const deadline = Date.now() + (launch.timeoutMs ?? 10_000);
  try {
    let url: string | undefined;
    for (;;) {
      url = listening.exec(output)?.[1];
      if (url !== undefined) break;
      if (child.exitCode !== null) {
        throw new Error(`tunasync-manager exited with ${child.exitCode}:\n${output}`);
      }
      if (Date.now() > deadline) throw new Error(`tunasync-manager did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    while (!(await pingOnce(url, launch.ca))) {
      if (Date.now() > deadline) {
        const over = launch.ca === undefined ? '' : ' over TLS';
        throw new Error(`tunasync-manager did not answer /ping${over}:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return {
      url,
      port: Number(new URL(url).port),
      dbDir,
      configFile,
      child,
      output: () => output,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { findFreePort } from './free-port';
import { requireTool } from './require-tool';
import { makeTempDir, removeTempDir } from './temp-dir';

export interface RedisServerOptions {
  /**
   * Durability: `false` (default) runs with no persistence at all (`--save ''`,
   * `--appendonly no`); `'always'` turns on the append-only file with `appendfsync always`
   * (every acknowledged write is on disk), `'everysec'` with Redis's default fsync policy.
   */
  appendOnly?: false | 'always' | 'everysec';
  /** `--requirepass`: clients must `AUTH` (as user `default`) with this password. */
  password?: string;
  /** Start as a replica of the server on this port (`--replicaof 127.0.0.1 <port>`). */
  replicaOf?: number;
  /**
   * Start a Sentinel instead (`redis-server sentinel.conf --sentinel`, the file written in the
   * temp dir, as Sentinel must rewrite it) watching the master on `masterPort` as `name`,
   * quorum 1.
   */
  sentinel?: { name: string; masterPort: number };
  /** How long to wait for the server to answer PING (default 10 s). */
  startTimeoutMs?: number;
}

/** A running `redis-server` on 127.0.0.1 with its data in a temp dir. */
export interface RedisServer {
  readonly host: string;
  readonly port: number;
  /** Process id of the current server process (changes after `restart()`). */
  readonly pid: number;
  /** The data directory (`--dir`); removed by `stop()`. */
  readonly dir: string;
  /** `redis://127.0.0.1:<port>/<db>`, with the password when one is set. */
  url(db?: number): string;
  /** What the server printed so far (its log goes to stdout). */
  output(): string;
  /** SIGKILL the server and wait for it to exit; the data directory is kept. */
  kill9(): Promise<void>;
  /** Start the server again on the same port and data directory (after `kill9()`). */
  restart(): Promise<void>;
  /** SIGTERM (SIGKILL after 5 s), then remove the data directory. Idempotent. */
  stop(): Promise<void>;
}

const POLL_MS = 25;
const PING_TIMEOUT_MS = 1000;
const STOP_TIMEOUT_MS = 5000;
const MAX_PORT_ATTEMPTS = 5;

function serverArgs(port: number, dir: string, options: RedisServerOptions): string[] {
  if (options.sentinel) {
    const { name, masterPort } = options.sentinel;
    const conf = [
      `sentinel monitor ${name} 127.0.0.1 ${masterPort} 1`,
      `sentinel down-after-milliseconds ${name} 1000`,
      `sentinel failover-timeout ${name} 5000`,
      '',
    ].join('\n');
    writeFileSync(join(dir, 'sentinel.conf'), conf);
    const base = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir];
    return [join(dir, 'sentinel.conf'), '--sentinel', ...base, '--logfile', ''];
  }
  // Arguments only, no configuration file: nothing from /etc/redis applies.
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--daemonize',
    'no',
    '--logfile',
    '',
    '--protected-mode',
    'yes',
  ];
  if (options.appendOnly) {
    args.push('--appendonly', 'yes', '--appendfsync', options.appendOnly);
  } else {
    args.push('--appendonly', 'no');
  }
  if (options.password !== undefined) args.push('--requirepass', options.password);
  if (options.replicaOf !== undefined) {
    args.push('--replicaof', '127.0.0.1', String(options.replicaOf));
  }
  return args;
}

/** True once the server answers PING (after AUTH when a password is set). */
function pings(port: number, password: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), PING_TIMEOUT_MS);
    socket.on('connect', () => {
      const auth =
        password === undefined
          ? ''
          : `*2\r\n$4\r\nAUTH\r\n$${Buffer.byteLength(password)}\r\n${password}\r\n`;
      socket.write(`${auth}*1\r\n$4\r\nPING\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      if (data.includes('+PONG\r\n')) done(true);
      else if (data.startsWith('-') && data.includes('\r\n')) done(false);
    });
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
}

function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

interface Started {
  child: ChildProcess;
  exited: Promise<void>;
  output: () => string;
}

/** Spawns the server and waits for PING; undefined when it exited (port taken, say). */
async function spawnServer(
  binary: string,
  port: number,
  dir: string,
  options: RedisServerOptions,
): Promise<Started | { failed: string }> {
  const child = spawn(binary, serverArgs(port, dir, options), {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  const exited = exitOf(child);
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
  while (Date.now() < deadline) {
    if (spawnError) throw spawnError;
    if (gone) return { failed: output };
    if (await pings(port, options.password)) return { child, exited, output: () => output };
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  child.kill('SIGKILL');
  await exited;
  throw new Error(`redis-server did not answer PING on 127.0.0.1:${port}: ${output}`);
}

/**
 * Starts a real `redis-server` on 127.0.0.1 on a free port, with its data in a fresh temp dir
 * and no configuration file, and waits until it answers PING. It is SIGKILLed when the test
 * process exits, whatever happens.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = requireTool('redis-server', 'apt-get install -y redis-server');
  const dir = await makeTempDir('tunasync-redis-');
  try {
    for (let attempt = 1; attempt <= MAX_PORT_ATTEMPTS; attempt += 1) {
      const port = await findFreePort();
      const started = await spawnServer(binary, port, dir, options);
      if (!('failed' in started)) return running(binary, port, dir, options, started);
      if (!/in use/i.test(started.failed) || attempt === MAX_PORT_ATTEMPTS) {
        throw new Error(`redis-server failed to start: ${started.failed}`.trim());
      }
    }
    throw new Error('redis-server failed to start'); // not reached
  } catch (err) {
    await removeTempDir(dir);
    throw err;
  }
}

function running(
  binary: string,
  port: number,
  dir: string,
  options: RedisServerOptions,
  first: Started,
): RedisServer {
  let current = first;
  let earlier = '';
  const killOnExit = (): void => {
    current.child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  let stopping: Promise<void> | undefined;

  const kill9 = async (): Promise<void> => {
    current.child.kill('SIGKILL');
    await current.exited;
  };

  const restart = async (): Promise<void> => {
    if (stopping) throw new Error('redis-server was stopped');
    await kill9();
    earlier += current.output();
    const started = await spawnServer(binary, port, dir, options);
    if ('failed' in started) {
      throw new Error(`redis-server did not restart on port ${port}: ${started.failed}`);
    }
    current = started;
  };

  const stop = async (): Promise<void> => {
    const { child, exited } = current;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(killer);
    process.removeListener('exit', killOnExit);
    await removeTempDir(dir);
  };

  const auth = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`;
  return {
    host: '127.0.0.1',
    port,
    get pid() {
      return current.child.pid ?? 0;
    },
    dir,
    url: (db = 0) => `redis://${auth}127.0.0.1:${port}/${db}`,
    output: () => earlier + current.output(),
    kill9,
    restart,
    stop: () => (stopping ??= stop()),
  };
}

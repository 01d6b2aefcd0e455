import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { findFreePort, makeTempDir, removeTempDir } from '@tunasync/test-utils';

/** verdaccio 5 (runs on Node 20), a devDependency of this workspace. */
export const VERDACCIO_BIN = resolve(
  require.resolve('verdaccio/package.json'),
  '..',
  'bin',
  'verdaccio',
);

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
const USER = 'tunasync-e2e';

export interface LocalRegistryOptions {
  /** The npm scope served by this registry and written to the user config (`@tunasync`). */
  scope: string;
  /**
   * The registry every other package comes from, written to the user config as `registry`
   * (the one npm is configured for; verdaccio itself fetches nothing).
   */
  upstream: string;
}

/** One request verdaccio answered. */
export interface RegistryRequest {
  method: string;
  /** The path as requested, e.g. `/@tunasync%2fcore` or `/@tunasync/core/-/core-0.1.0.tgz`. */
  url: string;
  status: number;
  /** The authenticated user, or null. */
  user: string | null;
}

/** The answered requests in verdaccio's JSON log (`log: { format: json, level: http }`). */
export function parseRegistryRequests(log: string): RegistryRequest[] {
  const found: RegistryRequest[] = [];
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: {
      request?: { method?: unknown; url?: unknown };
      status?: unknown;
      user?: unknown;
    };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    const { request, status, user } = entry;
    if (typeof request?.method !== 'string' || typeof request.url !== 'string') continue;
    if (typeof status !== 'number') continue;
    found.push({
      method: request.method,
      url: request.url,
      status,
      user: typeof user === 'string' ? user : null,
    });
  }
  return found;
}

export interface LocalRegistry {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  /** Temp directory of config, storage and user config; removed by `stop()`. */
  dir: string;
  /**
   * An npm user config for this registry alone: the scope mapped to it with an auth token
   * of a user made for the run, `registry` = the upstream, no audit, no fund, no notifier.
   */
  userconfig: string;
  /** Everything verdaccio printed so far (JSON lines). */
  output(): string;
  /** The requests verdaccio answered so far, from its `http` log lines, in order. */
  requests(): RegistryRequest[];
  /** Stops verdaccio (SIGTERM, SIGKILL after 5 s) and removes `dir`. Idempotent. */
  stop(): Promise<void>;
}

function verdaccioConfig(dir: string, scope: string): string {
  // No uplinks: nothing is ever fetched from outside, and a scope package that was not
  // published here is a 404 rather than whatever a public registry holds under that name.
  return `storage: ${JSON.stringify(join(dir, 'storage'))}
plugins: ${JSON.stringify(join(dir, 'plugins'))}
web:
  enable: false
auth:
  htpasswd:
    file: ${JSON.stringify(join(dir, 'htpasswd'))}
    max_users: 1
uplinks: {}
packages:
  '${scope}/*':
    access: $all
    publish: $authenticated
    unpublish: $authenticated
  '**':
    access: $all
    publish: $authenticated
server:
  keepAliveTimeout: 5
log: { type: stdout, format: json, level: http }
`;
}

async function waitUntilUp(url: string, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`verdaccio exited (${child.exitCode ?? child.signalCode}):\n${output()}`);
    }
    try {
      const r = await fetch(`${url}-/ping`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(
        `verdaccio did not answer ${url}-/ping in ${START_TIMEOUT_MS} ms:\n${output()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Registers the run's user (verdaccio's htpasswd plugin) and returns its token. */
async function addUser(url: string): Promise<string> {
  const r = await fetch(`${url}-/user/org.couchdb.user:${USER}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: USER, password: `${USER}-${process.pid}`, type: 'user' }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await r.json()) as { token?: string; error?: string };
  if (r.status !== 201 || typeof body.token !== 'string') {
    throw new Error(`verdaccio did not add the user: ${r.status} ${JSON.stringify(body)}`);
  }
  return body.token;
}

function spawnVerdaccio(configFile: string, port: number) {
  const child = spawn(
    process.execPath,
    [VERDACCIO_BIN, '--config', configFile, '--listen', `127.0.0.1:${port}`],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } },
  );
  let text = '';
  child.stdout?.on('data', (c: Buffer) => (text += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (text += c.toString('utf8')));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return { child, exited, output: () => text };
}

/**
 * Starts verdaccio on 127.0.0.1 (a free port; another try when it was taken meanwhile) with
 * temp storage, no uplinks and one user, and writes an npm user config that publishes and
 * installs the scope from it.
 */
export async function startLocalRegistry(options: LocalRegistryOptions): Promise<LocalRegistry> {
  const dir = await makeTempDir('tunasync-registry-');
  const configFile = join(dir, 'config.yaml');
  let running: ReturnType<typeof spawnVerdaccio> | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (running && running.child.exitCode === null && running.child.signalCode === null) {
        running.child.kill('SIGTERM');
        const killer = setTimeout(() => running?.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await running.exited;
        clearTimeout(killer);
      }
      await removeTempDir(dir);
    })();
    return stopping;
  };

  try {
    await mkdir(join(dir, 'plugins'));
    await writeFile(configFile, verdaccioConfig(dir, options.scope));
    let url = '';
    for (let attempt = 1; ; attempt++) {
      const port = await findFreePort();
      url = `http://127.0.0.1:${port}/`;
      running = spawnVerdaccio(configFile, port);
      try {
        await waitUntilUp(url, running.child, running.output);
        break;
      } catch (err) {
        const inUse = /EADDRINUSE/.test(running.output());
        running.child.kill('SIGKILL');
        await running.exited;
        if (!inUse || attempt >= 3) throw err;
      }
    }
    const token = await addUser(url);
    const userconfig = join(dir, 'npmrc');
    const hostPath = url.replace(/^http:/, '');
    await writeFile(
      userconfig,
      [
        `registry=${options.upstream}`,
        `${options.scope}:registry=${url}`,
        `${hostPath}:_authToken=${token}`,
        'audit=false',
        'fund=false',
        'update-notifier=false',
        'loglevel=warn',
        '',
      ].join('\n'),
    );
    const { output } = running!;
    return { url, dir, userconfig, output, requests: () => parseRegistryRequests(output()), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MANAGER_BIN } from './manager-process';
import type { ManagerProcess } from './manager-process';
import type { TlsCertificate } from './tls-certificate';

export interface TlsManagerProcessOptions {
  /** Extra `[server]` keys (TOML lines such as `token = "t"`); addr, port, ssl_* are generated. */
  serverKeys?: string;
  /** How long to wait for `/ping` over HTTPS (10 s). */
  timeoutMs?: number;
}

function pingOnce(url: string, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${url}/ping`, { ca, agent: false, timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/**
 * Starts the built `tunasync-manager` as a child process serving HTTPS on 127.0.0.1 (a port
 * the manager picks) with `tls`'s certificate (`[server] ssl_cert`/`ssl_key` in a temp
 * manager.conf, temp LevelDB), and waits until `GET /ping` answers over TLS trusting `tls`'s
 * CA. `startManagerProcess` pings over plain `fetch`, which cannot trust a test CA.
 */
export async function startTlsManagerProcess(
  tls: TlsCertificate,
  options: TlsManagerProcessOptions = {},
): Promise<ManagerProcess> {
  if (!existsSync(join(MANAGER_BIN, '..', '..', 'dist', 'cli.js'))) {
    throw new Error('apps/manager is not built: run `npx nx run @tunasync/manager:build` first');
  }
  const dir = await mkdtemp(join(tmpdir(), 'tunasync-manager-tls-'));
  const dbDir = join(dir, 'db');
  const configFile = join(dir, 'manager.conf');
  await writeFile(
    configFile,
    [
      '[server]',
      'addr = "127.0.0.1"',
      'port = 0',
      `ssl_cert = ${JSON.stringify(tls.certFile)}`,
      `ssl_key = ${JSON.stringify(tls.keyFile)}`,
      options.serverKeys ?? '',
      '[files]',
      `db_file = ${JSON.stringify(dbDir)}`,
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, [MANAGER_BIN, '--config', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));

  let stopping: Promise<number | null> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const code = await exited;
      await rm(dir, { recursive: true, force: true });
      return code;
    })();
    return stopping;
  };

  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  try {
    let url: string | undefined;
    while (url === undefined) {
      url = /listening on (https:\/\/[^\s]+)/.exec(output)?.[1];
      if (url !== undefined) break;
      if (child.exitCode !== null) {
        throw new Error(`tunasync-manager exited with ${child.exitCode}:\n${output}`);
      }
      if (Date.now() > deadline) throw new Error(`tunasync-manager did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    while (!(await pingOnce(url, tls.caCert))) {
      if (Date.now() > deadline) {
        throw new Error(`tunasync-manager did not answer /ping over TLS:\n${output}`);
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

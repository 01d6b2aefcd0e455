import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { launchManager } from './manager-process';
import type { ManagerProcess } from './manager-process';
import type { TlsCertificate } from './tls-certificate';

export interface TlsManagerProcessOptions {
  /** Extra `[server]` keys (TOML lines such as `token = "t"`); addr, port, ssl_* are generated. */
  serverKeys?: string;
  /** How long to wait for `/ping` over HTTPS (10 s). */
  timeoutMs?: number;
}

/**
 * Starts the built `tunasync-manager` as a child process serving HTTPS on 127.0.0.1 (a port
 * the manager picks) with `tls`'s certificate (`[server] ssl_cert`/`ssl_key` in a temp
 * manager.conf, temp LevelDB), and waits until `GET /ping` answers over TLS trusting `tls`'s
 * CA. `startManagerProcess` pings over plain `fetch`, which cannot trust a test CA.
 */
export function startTlsManagerProcess(
  tls: TlsCertificate,
  options: TlsManagerProcessOptions = {},
): Promise<ManagerProcess> {
  return launchManager({
    tempPrefix: 'tunasync-manager-tls-',
    ca: tls.caCert,
    timeoutMs: options.timeoutMs,
    writeConfig: async (dir) => {
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
      return { dbDir, configFile, args: [] };
    },
  });
}

import { readFile } from 'node:fs/promises';
import { silentLogger } from '@tunasync/api-types';
import type { Logger } from '@tunasync/api-types';
import { LevelStore } from '@tunasync/store';
import type { Store } from '@tunasync/store';
import { createManagerApp } from './app';
import type { ManagerApp } from './app';
import { ManagerServer } from './manager-server';
import type { ManagerSettings } from './manager-config';

export interface RunningManager {
  url: string;
  port: number;
  store: Store;
  app: ManagerApp;
  /** Stops accepting, finishes running requests, closes the store. Idempotent. */
  close(): Promise<void>;
}

export interface RunManagerOptions {
  logger?: Logger;
  clock?: () => Date;
}

/**
 * The composition root: opens the store, builds the app, serves it. Fails (and leaves
 * nothing open) with a `StoreError` or a `ManagerError` when any part cannot start.
 */
export async function runManager(
  settings: ManagerSettings,
  options: RunManagerOptions = {},
): Promise<RunningManager> {
  const logger = options.logger ?? silentLogger;
  const tls =
    settings.sslCertFile !== undefined && settings.sslKeyFile !== undefined
      ? {
          cert: await readFile(settings.sslCertFile, 'utf8'),
          key: await readFile(settings.sslKeyFile, 'utf8'),
        }
      : undefined;
  const store = await LevelStore.open({ location: settings.dbFile, logger });
  let app: ManagerApp | undefined;
  let server: ManagerServer | undefined;
  try {
    app = await createManagerApp({
      config: settings,
      store,
      logger,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    server = new ManagerServer({
      handler: app.handler,
      addr: settings.addr,
      port: settings.port,
      logger,
      ...(tls ? { tls } : {}),
    });
    const { url, port } = await server.start();
    const running = { server, app };
    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      store,
      app,
      close() {
        closing ??= (async () => {
          const results = await Promise.allSettled([running.server.close()]);
          results.push(...(await Promise.allSettled([running.app.close()])));
          results.push(...(await Promise.allSettled([store.close()])));
          const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
          if (failed) throw failed.reason;
        })();
        return closing;
      },
    };
  } catch (err) {
    await server?.close();
    await app?.close();
    await store.close();
    throw err;
  }
}

import { ConfigLocator } from '@tunasync/config';
import { readFile } from 'node:fs/promises';
import { silentLogger } from '@tunasync/api-types';
import type { Logger } from '@tunasync/api-types';
import { RedisStore, openPlannedDatabase, planDatabase } from '@tunasync/store';
import type { Store } from '@tunasync/store';
import { createManagerApp } from './app';
import { loadCredentials } from './load-credentials';
import type { ManagerApp } from './app';
import { ManagerServer } from './manager-server';
import type { ManagerSettings } from './manager-config';

export interface RunningManager {
  url: string;
  port: number;
  store: Store;
  /** The LevelDB directory it runs on (db_file, or the import of a Go database). */
  database: string;
  app: ManagerApp;
  /**
   * Reads the credential files again (SIGHUP) and, when they are all good, checks requests
   * against them from now on; else the tokens in force stay. Resolves with one line for
   * the log; undefined when no credential comes from a file.
   */
  reloadCredentials(): Promise<{ ok: boolean; line: string } | undefined>;
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
  let store: Store;
  let database: string;
  if (settings.dbType === 'redis') {
    store = await RedisStore.open({ url: settings.dbFile, logger });
    database = store.location;
  } else {
    const plan = await planDatabase(settings.dbFile, settings.dbType);
    store = await openPlannedDatabase(plan, logger);
    database = plan.location;
  }
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
    let reloading: Promise<unknown> = Promise.resolve();
    const sources = settings.credentialSources ?? {};
    const reloadOnce = async () => {
      if (
        sources.tokenFile === undefined &&
        sources.workerTokensFile === undefined &&
        sources.adminTokensFile === undefined
      ) {
        return undefined;
      }
      const loaded = await loadCredentials(
        sources,
        settings.configLocator ?? new ConfigLocator('manager.conf'),
      );
      if (loaded.set === undefined) {
        const problems = loaded.problems.join('; ');
        return {
          ok: false,
          line: `credentials not reloaded, the previous tokens stay: ${problems}`,
        };
      }
      running.app.credentials.replace(loaded.set);
      return { ok: true, line: `credentials reloaded: ${running.app.credentials.describe()}` };
    };
    return {
      url,
      port,
      store,
      database,
      app,
      reloadCredentials() {
        const next = reloading.then(reloadOnce, reloadOnce);
        reloading = next;
        return next;
      },
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

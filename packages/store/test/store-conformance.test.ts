import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { TempDirs, startRedisServer } from '@tunasync/test-utils';
import type { RedisServer } from '@tunasync/test-utils';
import { LevelStore, RedisStore } from '../src/index';
import type { Store } from '../src/index';
import { describeStoreConformance } from './store-conformance';

// One suite, every backend: the same tests run against LevelStore and RedisStore.

const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

describeStoreConformance('LevelStore', () => {
  let dir: string | undefined;
  return {
    async create() {
      dir = join(await dirs.make('tunasync-store-'), 'db');
      return LevelStore.open({ location: dir });
    },
    async reopen(store: Store) {
      await store.close();
      return LevelStore.open({ location: store.location });
    },
    async cleanup() {
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
});

let server: RedisServer;
let admin: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  admin = new Redis(server.url());
});

afterAll(async () => {
  await admin.quit();
  await server.stop();
});

describeStoreConformance('RedisStore', () => ({
  async create() {
    await admin.flushall();
    return RedisStore.open({ url: server.url() });
  },
  async reopen(store: Store) {
    await store.close();
    return RedisStore.open({ url: server.url() });
  },
  async cleanup() {
    await admin.flushall();
  },
}));

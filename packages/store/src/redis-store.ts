import { randomUUID } from 'node:crypto';
import { Redis, ReplyError } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { finishedRun, silentLogger } from '@tunasync/api-types';
import type { Logger, MirrorStatus, Rfc3339, WorkerStatus } from '@tunasync/api-types';
import { ChangeListeners } from './change-listeners';
import { StoreError, STORE_ERRORS } from './errors';
import { KeyedMutex } from './keyed-mutex';
import { parseRedisAddress } from './redis-address';
import {
  CHANGES_CHANNEL,
  GO_STATUS_HASH,
  OWN_STATUS_HASH,
  REDIS_LAYOUT_VERSION,
  VERSION_KEY,
  WORKERS_HASH,
  compareNames,
  historyIndexKey,
  historyListKey,
  historyListPrefix,
  parseStatusField,
  statusField,
} from './redis-layout';
import type { StatusField } from './redis-layout';
import { DELETE_WORKER_LUA, WRITE_FIELD_LUA } from './redis-scripts';
import { decodeMirrorStatus, decodeRunRecord, decodeWorkerStatus, runRecordOf } from './records';
import { encodeComponent } from './key-layout';
import type {
  DeleteWorkerOptions,
  MirrorStatusEntry,
  RunRecord,
  StatusUpdater,
  Store,
  StoreChange,
  StoreListener,
  WriteOptions,
} from './store';

export interface RedisStoreOptions {
  /** `db_file`: `redis://[user:password@]host:port/db`, `rediss://…`, `redis+sentinel://…`. */
  url: string;
  logger?: Logger;
  /**
   * How often every hash is read to find writes that published nothing (a Go manager's);
   * default 1000 ms. Writes of our managers arrive by pub/sub at once.
   */
  pollIntervalMs?: number;
  /** How long `open` waits for the server (default 10 s); a command's timeout (default 5 s). */
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
}

/** A change message on the channel: which store wrote it, and the change. */
interface ChangeMessage {
  origin: string;
  change: StoreChange;
}

type Expect = { mode: 'any' } | { mode: 'absent' } | { mode: 'equal'; value: string };

interface FieldWrite {
  hash: string;
  field: string;
  expect: Expect;
  /** The new value; undefined deletes the field. */
  value: string | undefined;
  history?: { workerId: string; mirror: string; record: string; keep: number };
  clearHistory?: { workerId: string; mirror: string };
  change: StoreChange;
}

interface ScriptClient {
  tunasyncWriteField(...args: string[]): Promise<number>;
  tunasyncDeleteWorker(...args: string[]): Promise<number>;
}

/** Giving up after this many compare-and-set conflicts of one status in a row. */
const MAX_CAS_ATTEMPTS = 100;

/** The key of a hash field in the poller's memory. */
function itemKey(hash: string, field: string): string {
  return `${hash}\u0000${field}`;
}

function messageOf(err: unknown): string {
  return (err as { message?: unknown } | null)?.message?.toString() ?? String(err);
}

/**
 * The Redis store: the Go manager's hashes `workers` and `mirror_status`, exactly as it
 * writes them, so our managers and Go's can share one Redis; run history and our layout
 * version under `tunasync-ts:` (README). Several stores (managers) on one Redis see each
 * other's writes: ours by pub/sub, a Go manager's by reading the hashes every
 * `pollIntervalMs`.
 */
export class RedisStore implements Store {
  readonly location: string;
  private readonly client: Redis;
  private readonly subscriber: Redis;
  private readonly logger: Logger;
  private readonly origin = randomUUID();
  private readonly mutex = new KeyedMutex();
  private readonly listeners: ChangeListeners;
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly pollIntervalMs: number;
  /** The last value seen of every hash field (raw JSON), to tell what a poll found new. */
  private readonly known = new Map<string, string>();
  /** When each item was last changed by a write we saw, on the `generation` counter. */
  private readonly touched = new Map<string, number>();
  private generation = 0;
  private pollTimer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private down = false;
  private closing: Promise<void> | undefined;

  private constructor(
    client: Redis,
    subscriber: Redis,
    location: string,
    logger: Logger,
    pollIntervalMs: number,
  ) {
    this.client = client;
    this.subscriber = subscriber;
    this.location = location;
    this.logger = logger;
    this.listeners = new ChangeListeners(logger, true);
    this.pollIntervalMs = pollIntervalMs;
  }

  /** Connects, checks the layout version, and starts following the other managers' writes. */
  static async open(options: RedisStoreOptions): Promise<RedisStore> {
    const address = parseRedisAddress(options.url);
    const location = address.redacted;
    const logger = (options.logger ?? silentLogger).child({ component: 'store' });
    const connectTimeout = options.connectTimeoutMs ?? 10_000;
    const clientOptions: RedisOptions = {
      ...address.options,
      lazyConnect: true,
      // A command while Redis is away fails at once (503), never waits to be sent later:
      // no write is acknowledged late, none is silently re-sent.
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 5000,
      connectTimeout,
      // Reconnect for ever once open; a first connection that fails fails `open`.
      retryStrategy: (times: number) => (opened ? Math.min(times * 100, 2000) : null),
      // A master demoted by a fail-over answers READONLY: reconnect (Sentinel: to the new one).
      reconnectOnError: (err: Error) => err.message.startsWith('READONLY'),
    };
    let opened = false;
    const client = new Redis(clientOptions);
    // Connection errors are reported by the store's own 'close' handling, once per outage.
    client.on('error', () => undefined);
    client.defineCommand('tunasyncWriteField', { numberOfKeys: 3, lua: WRITE_FIELD_LUA });
    client.defineCommand('tunasyncDeleteWorker', { numberOfKeys: 2, lua: DELETE_WORKER_LUA });
    let subscriber: Redis | undefined;
    try {
      await RedisStore.connect(client, connectTimeout, location);
      await RedisStore.checkVersion(client, location);
      subscriber = new Redis({ ...clientOptions, enableOfflineQueue: true });
      subscriber.on('error', () => undefined);
      await RedisStore.connect(subscriber, connectTimeout, location);
      opened = true;
    } catch (err) {
      // (disconnect() of an ended client would keep a 2 s timer of ioredis alive)
      for (const c of [client, subscriber]) if (c && c.status !== 'end') c.disconnect();
      throw err instanceof StoreError
        ? err
        : STORE_ERRORS.openFailed.withCause(err, location, messageOf(err));
    }
    const store = new RedisStore(
      client,
      subscriber,
      location,
      logger,
      options.pollIntervalMs ?? 1000,
    );
    await store.start();
    logger.debug(`database ${location} opened`);
    return store;
  }

  private static async connect(client: Redis, timeoutMs: number, location: string) {
    let timer: NodeJS.Timeout | undefined;
    let lastError = 'no answer';
    const onError = (err: unknown) => (lastError = messageOf(err));
    client.on('error', onError);
    try {
      await Promise.race([
        client.connect(),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(STORE_ERRORS.unavailable(location, `cannot connect: ${lastError}`)),
            timeoutMs,
          );
        }),
      ]);
    } catch (err) {
      if (err instanceof StoreError) throw err;
      // ioredis rejects with "Connection is closed."; the error event said why.
      const reason = lastError === 'no answer' ? messageOf(err) : lastError;
      throw STORE_ERRORS.unavailable.withCause(err, location, `cannot connect: ${reason}`);
    } finally {
      clearTimeout(timer);
      client.off('error', onError);
    }
  }

  private static async checkVersion(client: Redis, location: string): Promise<void> {
    await client.set(VERSION_KEY, REDIS_LAYOUT_VERSION, 'NX');
    const version = (await client.get(VERSION_KEY)) ?? '';
    if (!/^\d+$/.test(version)) {
      throw STORE_ERRORS.corrupt(location, `${VERSION_KEY} is ${JSON.stringify(version)}`);
    }
    if (Number(version) > Number(REDIS_LAYOUT_VERSION)) {
      throw STORE_ERRORS.unsupportedVersion(location, version);
    }
  }

  private async start(): Promise<void> {
    this.subscriber.on('message', (channel: string, text: string) => {
      if (channel === CHANGES_CHANNEL) this.received(text);
    });
    await this.subscriber.subscribe(CHANGES_CHANNEL);
    this.client.on('close', () => {
      if (this.closing || this.down) return;
      this.down = true;
      this.logger.error(`lost the connection to ${this.location}; reconnecting`);
    });
    this.client.on('ready', () => {
      if (!this.down || this.closing) return;
      this.down = false;
      this.logger.info(`connection to ${this.location} is back`);
      // Pub/sub messages may have been missed meanwhile: read everything again now.
      this.schedulePoll(0);
    });
    await this.poll();
    this.schedulePoll(this.pollIntervalMs);
  }

  // ---- plumbing -------------------------------------------------------------------------

  private get scripts(): ScriptClient {
    return this.client as unknown as ScriptClient;
  }

  private track<T>(operation: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(STORE_ERRORS.closed(this.location));
    const running = operation();
    this.inflight.add(running);
    const forget = () => this.inflight.delete(running);
    running.then(forget, forget);
    return running;
  }

  /** Runs a Redis call; a connection problem is `unavailable`, anything else `io`. */
  private async io<T>(operation: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      if (
        err instanceof ReplyError &&
        !/^(LOADING|READONLY|MASTERDOWN|BUSY)/.test(messageOf(err))
      ) {
        throw STORE_ERRORS.io.withCause(err, this.location, operation, err);
      }
      throw STORE_ERRORS.unavailable.withCause(err, this.location, messageOf(err));
    }
  }

  private emit(change: StoreChange): void {
    this.listeners.emit(change);
  }

  /** Remembers a change we saw (ours or by pub/sub), so an older poll does not undo it. */
  private remember(hash: string, field: string, value: string | undefined): void {
    const key = itemKey(hash, field);
    if (value === undefined) this.known.delete(key);
    else this.known.set(key, value);
    this.generation += 1;
    this.touched.set(key, this.generation);
  }

  private whereOf(change: StoreChange): { hash: string; field: string; value?: string } {
    switch (change.kind) {
      case 'status-put':
        return {
          ...statusField(change.workerId, change.mirror),
          value: JSON.stringify(change.status),
        };
      case 'status-delete':
        return statusField(change.workerId, change.mirror);
      case 'worker-put':
        return {
          hash: WORKERS_HASH,
          field: change.worker.id,
          value: JSON.stringify(change.worker),
        };
      case 'worker-delete':
        return { hash: WORKERS_HASH, field: change.workerId };
    }
  }

  /** A change message from the channel: another manager's write. */
  private received(text: string): void {
    if (this.closing) return;
    let message: ChangeMessage;
    try {
      message = JSON.parse(text) as ChangeMessage;
    } catch {
      this.logger.warn(`ignoring a change message that is not JSON on ${CHANGES_CHANNEL}`);
      return;
    }
    if (message.origin === this.origin) return;
    const { change } = message;
    const where = this.whereOf(change);
    this.remember(where.hash, where.field, where.value);
    this.emit(change);
  }

  private schedulePoll(delayMs: number): void {
    if (this.closing) return;
    clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => {
      this.polling = this.poll()
        .catch(() => undefined) // an outage is logged by the connection handler
        .finally(() => {
          this.polling = undefined;
          this.schedulePoll(this.pollIntervalMs);
        });
    }, delayMs);
  }

  /**
   * Reads every hash and tells listeners what differs from what they were told: the writes
   * of a Go manager (which publishes nothing), and whatever pub/sub missed in an outage.
   */
  private async poll(): Promise<void> {
    const since = this.generation;
    const result = await this.client
      .multi()
      .hgetall(WORKERS_HASH)
      .hgetall(GO_STATUS_HASH)
      .hgetall(OWN_STATUS_HASH)
      .exec();
    if (this.closing || !result) return;
    const hashes = [WORKERS_HASH, GO_STATUS_HASH, OWN_STATUS_HASH];
    const seen = new Set<string>();
    for (const [i, [err, value]] of result.entries()) {
      if (err) throw err;
      const hash = hashes[i] as string;
      for (const [field, raw] of Object.entries(value as Record<string, string>)) {
        const key = itemKey(hash, field);
        seen.add(key);
        if (this.known.get(key) === raw || (this.touched.get(key) ?? 0) > since) continue;
        // An unreadable field is remembered too: warned about once, not at every poll.
        this.known.set(key, raw);
        const change = this.changeOf(hash, field, raw);
        if (change) this.emit(change);
      }
    }
    for (const key of [...this.known.keys()]) {
      if (seen.has(key) || (this.touched.get(key) ?? 0) > since) continue;
      const [hash, field] = key.split('\u0000') as [string, string];
      this.known.delete(key);
      if (hash === WORKERS_HASH) {
        this.emit({ kind: 'worker-delete', workerId: field });
      } else {
        const ids = parseStatusField(hash, field);
        if (ids) this.emit({ kind: 'status-delete', workerId: ids[0], mirror: ids[1] });
      }
    }
  }

  /** The put change of a raw hash field, or undefined (logged) when it is unreadable. */
  private changeOf(hash: string, field: string, raw: string): StoreChange | undefined {
    const decoded = this.decodeField(hash, field, raw);
    if (!decoded) return undefined;
    if ('worker' in decoded) return { kind: 'worker-put', worker: decoded.worker };
    return { kind: 'status-put', ...decoded };
  }

  private decodeField(
    hash: string,
    field: string,
    raw: string,
  ): { worker: WorkerStatus } | MirrorStatusEntry | undefined {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw) as unknown;
    } catch {
      parsed = undefined;
    }
    if (hash === WORKERS_HASH) {
      const worker = decodeWorkerStatus(parsed);
      if (typeof worker === 'string') {
        this.logger.warn(`skipping unreadable record ${hash} ${field}: ${worker}`);
        return undefined;
      }
      return { worker };
    }
    const ids = parseStatusField(hash, field);
    const status = decodeMirrorStatus(parsed);
    if (!ids || typeof status === 'string') {
      const why = ids ? status : 'not <mirror>/<worker>';
      this.logger.warn(`skipping unreadable record ${hash} ${field}: ${why}`);
      return undefined;
    }
    return { workerId: ids[0], mirror: ids[1], status: status as MirrorStatus };
  }

  /** One status field, `undefined` when absent; an undecodable one throws `badRecord`. */
  private decodeStatus(where: StatusField, raw: string | null): MirrorStatus | undefined {
    if (raw === null) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw) as unknown;
    } catch {
      throw STORE_ERRORS.badRecord(this.location, `${where.hash} ${where.field}`, 'not JSON');
    }
    const status = decodeMirrorStatus(parsed);
    if (typeof status === 'string') {
      throw STORE_ERRORS.badRecord(this.location, `${where.hash} ${where.field}`, status);
    }
    return status;
  }

  /** Runs the compare-and-set script; true when written (then listeners are told). */
  private async writeField(write: FieldWrite): Promise<boolean> {
    const { workerId, mirror } = write.history ??
      write.clearHistory ?? { workerId: '', mirror: '' };
    const withHistory = write.history !== undefined || write.clearHistory !== undefined;
    const message: ChangeMessage = { origin: this.origin, change: write.change };
    const written = await this.io(`write ${write.hash} ${write.field}`, () =>
      this.scripts.tunasyncWriteField(
        write.hash,
        withHistory ? historyListKey(workerId, mirror) : `${write.hash}`,
        withHistory ? historyIndexKey(workerId) : `${write.hash}`,
        write.field,
        write.expect.mode,
        write.expect.mode === 'equal' ? write.expect.value : '',
        write.value === undefined ? 'del' : 'set',
        write.value ?? '',
        write.history ? 'push' : write.clearHistory ? 'clear' : 'none',
        write.history?.record ?? '',
        String(write.history?.keep ?? 0),
        encodeComponent(mirror),
        CHANGES_CHANNEL,
        JSON.stringify(message),
      ),
    );
    if (written !== 1) return false;
    this.remember(write.hash, write.field, write.value);
    this.emit(write.change);
    return true;
  }

  /**
   * Reads a status, computes the next one, and writes it only if the stored one is still the
   * one read (another manager may have written it meanwhile: then it is read again).
   */
  private casStatus(
    workerId: string,
    mirror: string,
    update: (current: MirrorStatus | undefined) => MirrorStatus | undefined,
    options: WriteOptions | undefined,
    readFirst: boolean,
  ): Promise<MirrorStatus | undefined> {
    const where = statusField(workerId, mirror);
    return this.mutex.run(itemKey(where.hash, where.field), async () => {
      for (let attempt = 1; attempt <= MAX_CAS_ATTEMPTS; attempt += 1) {
        const raw = readFirst
          ? await this.io(`get ${where.hash} ${where.field}`, () =>
              this.client.hget(where.hash, where.field),
            )
          : null;
        const current = this.decodeStatus(where, raw);
        const next = update(current);
        if (next === undefined) return current;
        const status = structuredClone(next);
        const keep = options?.history;
        const result = keep === undefined ? undefined : finishedRun(current?.status, status.status);
        const write: FieldWrite = {
          ...where,
          expect: !readFirst
            ? { mode: 'any' }
            : raw === null
              ? { mode: 'absent' }
              : { mode: 'equal', value: raw },
          value: JSON.stringify(status),
          change: { kind: 'status-put', workerId, mirror, status },
        };
        if (result !== undefined && keep !== undefined) {
          if (keep > 0) {
            const record = JSON.stringify(runRecordOf(status, result));
            write.history = { workerId, mirror, record, keep: Math.floor(keep) };
          } else {
            write.clearHistory = { workerId, mirror };
          }
        }
        if (await this.writeField(write)) return structuredClone(status);
      }
      throw STORE_ERRORS.io(
        this.location,
        `update ${where.hash} ${where.field}`,
        `${MAX_CAS_ATTEMPTS} concurrent writes in a row changed it first`,
      );
    });
  }

  private async readWorker(
    workerId: string,
  ): Promise<{ raw: string | null; worker?: WorkerStatus }> {
    const raw = await this.io(`get ${WORKERS_HASH} ${workerId}`, () =>
      this.client.hget(WORKERS_HASH, workerId),
    );
    if (raw === null) return { raw };
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw) as unknown;
    } catch {
      throw STORE_ERRORS.badRecord(this.location, `${WORKERS_HASH} ${workerId}`, 'not JSON');
    }
    const worker = decodeWorkerStatus(parsed);
    if (typeof worker === 'string') {
      throw STORE_ERRORS.badRecord(this.location, `${WORKERS_HASH} ${workerId}`, worker);
    }
    return { raw, worker };
  }

  private async allStatusEntries(): Promise<MirrorStatusEntry[]> {
    const [go, own] = await this.io('list', () =>
      Promise.all([this.client.hgetall(GO_STATUS_HASH), this.client.hgetall(OWN_STATUS_HASH)]),
    );
    const entries: MirrorStatusEntry[] = [];
    for (const [hash, fields] of [
      [GO_STATUS_HASH, go],
      [OWN_STATUS_HASH, own],
    ] as const) {
      for (const [field, raw] of Object.entries(fields)) {
        const entry = this.decodeField(hash, field, raw);
        if (entry && !('worker' in entry)) entries.push(entry);
      }
    }
    return entries.sort((a, b) => compareNames([a.workerId, a.mirror], [b.workerId, b.mirror]));
  }

  // ---- workers ----------------------------------------------------------------------------

  listWorkers(): Promise<WorkerStatus[]> {
    return this.track(async () => {
      const fields = await this.io('list', () => this.client.hgetall(WORKERS_HASH));
      const workers: WorkerStatus[] = [];
      for (const [field, raw] of Object.entries(fields)) {
        const decoded = this.decodeField(WORKERS_HASH, field, raw);
        if (decoded && 'worker' in decoded) workers.push(decoded.worker);
      }
      return workers.sort((a, b) => compareNames([a.id, ''], [b.id, '']));
    });
  }

  getWorker(workerId: string): Promise<WorkerStatus | undefined> {
    return this.track(async () => (await this.readWorker(workerId)).worker);
  }

  putWorker(worker: WorkerStatus): Promise<WorkerStatus> {
    const copy = structuredClone(worker);
    return this.track(() =>
      this.mutex.run(itemKey(WORKERS_HASH, copy.id), async () => {
        await this.writeField({
          hash: WORKERS_HASH,
          field: copy.id,
          expect: { mode: 'any' },
          value: JSON.stringify(copy),
          change: { kind: 'worker-put', worker: copy },
        });
        return structuredClone(copy);
      }),
    );
  }

  /**
   * With `purge`, the worker's statuses are deleted first, each in its own atomic step (a
   * status another manager writes meanwhile may stay), then the worker and its history.
   */
  deleteWorker(workerId: string, options?: DeleteWorkerOptions): Promise<boolean> {
    return this.track(() =>
      this.mutex.run(itemKey(WORKERS_HASH, workerId), async () => {
        if (options?.purge === true) {
          const entries = (await this.allStatusEntries()).filter((e) => e.workerId === workerId);
          for (const { mirror } of entries) {
            const where = statusField(workerId, mirror);
            await this.mutex.run(itemKey(where.hash, where.field), () =>
              this.writeField({
                ...where,
                expect: { mode: 'any' },
                value: undefined,
                clearHistory: { workerId, mirror },
                change: { kind: 'status-delete', workerId, mirror },
              }),
            );
          }
        }
        const change: StoreChange = { kind: 'worker-delete', workerId };
        const existed = await this.io(`del ${WORKERS_HASH} ${workerId}`, () =>
          this.scripts.tunasyncDeleteWorker(
            WORKERS_HASH,
            historyIndexKey(workerId),
            workerId,
            historyListPrefix(workerId),
            CHANGES_CHANNEL,
            JSON.stringify({ origin: this.origin, change } satisfies ChangeMessage),
          ),
        );
        if (existed !== 1) return false;
        this.remember(WORKERS_HASH, workerId, undefined);
        this.emit(change);
        return true;
      }),
    );
  }

  refreshWorker(workerId: string, lastOnline: Rfc3339): Promise<WorkerStatus | undefined> {
    return this.track(() =>
      this.mutex.run(itemKey(WORKERS_HASH, workerId), async () => {
        for (let attempt = 1; attempt <= MAX_CAS_ATTEMPTS; attempt += 1) {
          const { raw, worker } = await this.readWorker(workerId);
          if (raw === null || !worker) return undefined;
          const next = { ...worker, last_online: lastOnline };
          const written = await this.writeField({
            hash: WORKERS_HASH,
            field: workerId,
            expect: { mode: 'equal', value: raw },
            value: JSON.stringify(next),
            change: { kind: 'worker-put', worker: next },
          });
          if (written) return structuredClone(next);
        }
        throw STORE_ERRORS.io(this.location, `refresh ${WORKERS_HASH} ${workerId}`, 'conflicts');
      }),
    );
  }

  // ---- mirror statuses ------------------------------------------------------------------

  getMirrorStatus(workerId: string, mirror: string): Promise<MirrorStatus | undefined> {
    const where = statusField(workerId, mirror);
    return this.track(async () =>
      this.decodeStatus(
        where,
        await this.io(`get ${where.hash} ${where.field}`, () =>
          this.client.hget(where.hash, where.field),
        ),
      ),
    );
  }

  putMirrorStatus(
    workerId: string,
    mirror: string,
    status: MirrorStatus,
    options?: WriteOptions,
  ): Promise<MirrorStatus> {
    const copy = structuredClone(status);
    // The stored status decides whether this write finishes a run; read only when needed.
    return this.track(
      async () =>
        (await this.casStatus(
          workerId,
          mirror,
          () => copy,
          options,
          options?.history !== undefined,
        )) as MirrorStatus,
    );
  }

  updateMirrorStatus(
    workerId: string,
    mirror: string,
    update: StatusUpdater,
    options?: WriteOptions,
  ): Promise<MirrorStatus | undefined> {
    return this.track(() => this.casStatus(workerId, mirror, update, options, true));
  }

  listMirrorStatuses(workerId: string): Promise<MirrorStatus[]> {
    return this.track(async () =>
      (await this.allStatusEntries()).filter((e) => e.workerId === workerId).map((e) => e.status),
    );
  }

  listAllMirrorStatuses(): Promise<MirrorStatus[]> {
    return this.track(async () => (await this.allStatusEntries()).map((e) => e.status));
  }

  listAllMirrorStatusEntries(): Promise<MirrorStatusEntry[]> {
    return this.track(() => this.allStatusEntries());
  }

  flushDisabled(): Promise<number> {
    const flushable = (s: MirrorStatus) => s.status === 'disabled' || s.name === '';
    return this.track(async () => {
      let removed = 0;
      for (const { workerId, mirror, status } of await this.allStatusEntries()) {
        if (!flushable(status)) continue;
        const where = statusField(workerId, mirror);
        // Deleted only if still the value read: a status re-enabled meanwhile is kept.
        const deleted = await this.mutex.run(itemKey(where.hash, where.field), async () => {
          const raw = await this.io(`get ${where.hash} ${where.field}`, () =>
            this.client.hget(where.hash, where.field),
          );
          const current = raw === null ? undefined : this.decodeStatus(where, raw);
          if (raw === null || !current || !flushable(current)) return false;
          return this.writeField({
            ...where,
            expect: { mode: 'equal', value: raw },
            value: undefined,
            clearHistory: { workerId, mirror },
            change: { kind: 'status-delete', workerId, mirror },
          });
        });
        if (deleted) removed += 1;
      }
      return removed;
    });
  }

  // ---- run history -----------------------------------------------------------------------

  listRunHistory(workerId: string, mirror: string, limit?: number): Promise<RunRecord[]> {
    return this.track(async () => {
      if (limit !== undefined && !(limit >= 1)) return [];
      const key = historyListKey(workerId, mirror);
      const stop = limit === undefined ? -1 : Math.floor(limit) - 1;
      const texts = await this.io(`list ${key}`, () => this.client.lrange(key, 0, stop));
      const records: RunRecord[] = [];
      for (const text of texts) {
        let record: RunRecord | string;
        try {
          record = decodeRunRecord(JSON.parse(text) as unknown);
        } catch {
          record = 'not JSON';
        }
        if (typeof record === 'string')
          this.logger.warn(`skipping unreadable record in ${key}: ${record}`);
        else records.push(record);
      }
      return records;
    });
  }

  // ---- lifecycle -------------------------------------------------------------------------

  onChange(listener: StoreListener): () => void {
    return this.listeners.add(listener);
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.closing = (async () => {
        clearTimeout(this.pollTimer);
        await Promise.allSettled([...this.inflight, this.polling]);
        this.listeners.clear();
        await Promise.allSettled(
          [this.subscriber, this.client].map((c) =>
            c.status === 'ready'
              ? c.quit()
              : Promise.resolve(c.status === 'end' ? undefined : c.disconnect()),
          ),
        );
        this.logger.debug(`database ${this.location} closed`);
      })();
    }
    return this.closing;
  }
}

import { appendFile, mkdir, open, rename, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { request } from 'undici';
import { silentLogger } from '@tunasync/api-types';
import { TempDirs } from '@tunasync/test-utils';
import { ControlServer } from '../../src/control/control-server';
import { readTail } from '../../src/control/mirror-logs';
import type { WorkerCommands } from '../../src/control/worker-commands';

/** Mirrors with log directories; commands are not what these tests are about. */
class LogCommands implements WorkerCommands {
  constructor(private readonly dirs: Record<string, string>) {}
  hasMirror(name: string) {
    return Object.hasOwn(this.dirs, name);
  }
  logDirOf(name: string) {
    return this.dirs[name];
  }
  queueJobCommand(): never {
    throw new Error('not in these tests');
  }
  queueReload(): never {
    throw new Error('not in these tests');
  }
}

const dirs = new TempDirs();
let server: ControlServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
  await dirs.cleanup();
});

const lines = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}\n`).join('');

/** A worker whose mirror `debian` has two runs' logs, `latest` pointing at the second. */
async function setUp(extra: { token?: string } = {}) {
  const root = await dirs.make('logs-');
  const logDir = path.join(root, 'debian');
  await mkdir(logDir);
  await writeFile(path.join(logDir, 'debian_2026-01-01_00_00.log.fail'), 'old run failed\n');
  await writeFile(path.join(logDir, 'debian_2026-01-02_00_00.log'), lines(1, 300));
  await symlink('debian_2026-01-02_00_00.log', path.join(logDir, 'latest'));
  // Not debian's: another mirror's log, a secret beside the logs, and a symlink out.
  await writeFile(path.join(logDir, 'debian-security_2026-01-02_00_00.log'), 'not mine\n');
  const secret = path.join(root, 'secret.txt');
  await writeFile(secret, 'top secret\n');
  await symlink(secret, path.join(logDir, 'debian_2026-01-03_00_00.log'));
  server = new ControlServer({
    commands: new LogCommands({ debian: logDir, empty: path.join(root, 'none') }),
    logger: silentLogger,
    host: '127.0.0.1',
    port: 0,
    followPollMs: 20,
    ...extra,
  });
  await server.start();
  return { url: `http://127.0.0.1:${server.port}`, logDir, secret };
}

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await request(url, { headers });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

describe('the log routes of the control server', () => {
  test('the last lines of the current log, ?tail=N of them, and the list of log files', async () => {
    const { url } = await setUp();
    const tail = await get(`${url}/jobs/debian/log`);
    expect(tail.status).toBe(200);
    expect(tail.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(tail.headers['x-log-file']).toBe('debian_2026-01-02_00_00.log');
    expect(tail.text).toBe(lines(201, 300));
    expect((await get(`${url}/jobs/debian/log?tail=2`)).text).toBe(lines(299, 300));
    const old = await get(`${url}/jobs/debian/log?file=debian_2026-01-01_00_00.log.fail`);
    expect(old.text).toBe('old run failed\n');

    const list = await get(`${url}/jobs/debian/logs`);
    const files = (JSON.parse(list.text) as { files: Array<{ name: string; latest: boolean }> })
      .files;
    expect(files.map((f) => [f.name, f.latest]).sort()).toEqual([
      ['debian_2026-01-01_00_00.log.fail', false],
      ['debian_2026-01-02_00_00.log', true],
    ]);
  });

  test.each([
    ['..', '../secret.txt'],
    ['an absolute path', '/etc/passwd'],
    ['a symlink out of log_dir', 'debian_2026-01-03_00_00.log'],
    ['another mirror', 'debian-security_2026-01-02_00_00.log'],
    ['an encoded ..', '..%2Fsecret.txt'],
  ])('refuses %s as file', async (_what, file) => {
    const { url } = await setUp();
    const r = await get(`${url}/jobs/debian/log?file=${file}`);
    expect(r.status).toBe(404);
    expect(r.text).not.toContain('top secret');
    expect(r.text).not.toContain('root:');
    expect(r.text).not.toContain('not mine');
  });

  test('refuses a mirror name that is a path, and a bad tail', async () => {
    const { url } = await setUp();
    for (const name of ['..%2F..%2Fetc', '%2Fetc%2Fpasswd', 'ghost']) {
      const r = await get(`${url}/jobs/${name}/log`);
      expect(r.status).toBe(404);
      expect(JSON.parse(r.text)).toEqual({ msg: expect.stringContaining('not found') as string });
    }
    expect((await get(`${url}/jobs/empty/log`)).status).toBe(404);
    for (const tail of ['0', '-1', 'x', '10001']) {
      expect((await get(`${url}/jobs/debian/log?tail=${tail}`)).status).toBe(400);
    }
  });

  test('a latest symlink that points out of log_dir is not followed', async () => {
    const { url, logDir, secret } = await setUp();
    await rename(path.join(logDir, 'latest'), path.join(logDir, 'old-latest'));
    await symlink(secret, path.join(logDir, 'latest'));
    const r = await get(`${url}/jobs/debian/log`);
    // The newest of the mirror's own files instead.
    expect(r.text).not.toContain('top secret');
    expect(r.headers['x-log-file']).toBe('debian_2026-01-02_00_00.log');
  });

  test('needs the token when one is set', async () => {
    const { url } = await setUp({ token: 's3cret' });
    expect((await get(`${url}/jobs/debian/log`)).status).toBe(401);
    const ok = await get(`${url}/jobs/debian/log?tail=1`, { authorization: 'Bearer s3cret' });
    expect(ok.text).toBe(lines(300, 300));
  });

  test('?follow=1 sends what is appended, then the next run’s log', async () => {
    const { url, logDir } = await setUp();
    const controller = new AbortController();
    const res = await request(`${url}/jobs/debian/log?tail=1&follow=1`, {
      signal: controller.signal,
    });
    expect(res.statusCode).toBe(200);
    let got = '';
    const reading = (async () => {
      try {
        for await (const chunk of res.body) got += String(chunk);
      } catch {
        // aborted at the end of the test
      }
    })();
    const until = async (text: string) => {
      const deadline = Date.now() + 10_000;
      while (!got.includes(text)) {
        if (Date.now() > deadline) throw new Error(`no ${JSON.stringify(text)} in ${got}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await until('line 300\n');
    await appendFile(path.join(logDir, 'debian_2026-01-02_00_00.log'), 'line 301\n');
    await until('line 301\n');
    await writeFile(path.join(logDir, 'debian_2026-01-04_00_00.log'), 'next run\n');
    await rename(path.join(logDir, 'latest'), path.join(logDir, 'latest.old'));
    await symlink('debian_2026-01-04_00_00.log', path.join(logDir, 'latest'));
    await until('==> debian_2026-01-04_00_00.log <==\nnext run\n');
    expect(got).toBe('line 300\nline 301\n\n==> debian_2026-01-04_00_00.log <==\nnext run\n');
    controller.abort();
    await reading;
  });
});

describe('readTail', () => {
  test.each([
    ['a\nb\nc\n', 2, 'b\nc\n'],
    ['a\nb\nc', 2, 'b\nc'],
    ['a\nb\nc\n', 10, 'a\nb\nc\n'],
    ['', 5, ''],
    ['\n\n\n', 2, '\n\n'],
  ])('%j, last %i lines', async (text, n, expected) => {
    const dir = await dirs.make('tail-');
    const file = path.join(dir, 'f.log');
    await writeFile(file, text);
    const handle = await open(file, 'r');
    try {
      expect(String(await readTail(handle, Buffer.byteLength(text), n))).toBe(expected);
    } finally {
      await handle.close();
    }
  });

  test('reads a long log from its end, in chunks, across chunk borders', async () => {
    const dir = await dirs.make('tail-');
    const file = path.join(dir, 'f.log');
    const text = lines(1, 50_000); // ~600 KB: several 64 KiB chunks
    await writeFile(file, text);
    const handle = await open(file, 'r');
    try {
      expect(String(await readTail(handle, text.length, 6000))).toBe(lines(44_001, 50_000));
    } finally {
      await handle.close();
    }
  });
});

import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { mkdir, readdir, readFile, writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { MANAGER_BIN, startManagerProcess, TempDirs } from '@tunasync/test-utils';
import { runCli, USAGE } from '../src/cli';
import { call, report, capture } from './helpers';

const run = promisify(execFile);
const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

async function conf(text: string): Promise<string> {
  const file = join(await dirs.make('tunasync-conf-'), 'manager.conf');
  await writeFile(file, text);
  return file;
}

describe('runCli without a daemon', () => {
  test('--help and --version', async () => {
    const c = capture();
    expect(await runCli(['--help'], c.io)).toBe(0);
    expect(c.out()).toBe(USAGE);
    const v = capture();
    expect(await runCli(['--version'], v.io)).toBe(0);
    expect(v.out()).toBe('tunasync-manager 0.1.0\n');
  });

  test.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--port', 'http'], '--port: must be an integer from 0 to 65535, got "http"'],
    [['--port', '70000'], '--port: must be an integer from 0 to 65535'],
    [['extra'], 'unexpected argument "extra"'],
  ])('usage error %j exits 2', async (argv, message) => {
    const c = capture();
    expect(await runCli(argv, c.io)).toBe(2);
    expect(c.err()).toContain(message);
    expect(c.err()).toContain('Run "tunasync-manager --help" for usage.');
  });

  test('--check-config of a good file says OK and exits 0; warnings are printed', async () => {
    const file = await conf('debug = false\n[server]\naddr = "0.0.0.0"\ncolour = "red"\n');
    const db = join(await dirs.make('tunasync-check-'), 'db');
    const c = capture();
    expect(await runCli(['--check-config', file, '--db-file', db], c.io)).toBe(0);
    expect(c.out()).toBe(
      `database: a start would open the database ${db}\n${file}: OK, 1 warning(s)\n`,
    );
    expect(c.err()).toBe(`warning: ${file}:4:server.colour: unknown key\n`);
    const strict = capture();
    expect(await runCli(['--check-config', file, '--strict'], strict.io)).toBe(2);
    expect(strict.err()).toBe(
      `error: ${file}:4:server.colour: unknown key\n${file}: 1 error(s), 0 warning(s)\n`,
    );
  });

  test('--check-config prints every problem with file and key, and exits 2', async () => {
    const file = await conf(
      '[server]\nport = "x"\nssl_cert = "/nonexistent.crt"\n[files]\ndb_type = "bolt"\n',
    );
    const c = capture();
    expect(await runCli(['--check-config', file], c.io)).toBe(2);
    expect(c.err()).toBe(
      `error: ${file}:2:server.port: must be an integer\n${file}: 1 error(s), 0 warning(s)\n`,
    );

    const file2 = await conf(
      '[server]\nssl_cert = "/nonexistent.crt"\ntoken_file = "/nonexistent-token"\n[files]\ndb_type = "bolt"\nca_cert = "/nonexistent-ca"\n',
    );
    const c2 = capture();
    expect(await runCli(['--check-config', file2], c2.io)).toBe(2);
    const lines = c2.err().trim().split('\n');
    expect(lines).toEqual([
      `error: ${file2}:1:server: ssl_cert and ssl_key must both be set for HTTPS (or neither for HTTP)`,
      expect.stringMatching(
        new RegExp(
          `^error: ${file2}:2:server.ssl_cert: cannot read /nonexistent.crt: no such file$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(`^error: ${file2}:6:files.ca_cert: cannot read /nonexistent-ca: no such file$`),
      ),
      expect.stringMatching(
        new RegExp(`^error: ${file2}:3:server.token_file: cannot read /nonexistent-token`),
      ),
      `${file2}: 4 error(s), 0 warning(s)`,
    ]);
  });

  test('--check-config of a redis db_file names the Redis without its password and asks nothing', async () => {
    const file = await conf(
      '[files]\ndb_type = "redis"\ndb_file = "redis://u:pw-secret@127.0.0.1:9/0"\n',
    );
    const c = capture();
    expect(await runCli(['--check-config', file], c.io)).toBe(0);
    expect(c.out()).toContain(
      'database: a start would use the Redis at redis://u:***@127.0.0.1:9/0',
    );
    expect(c.out() + c.err()).not.toContain('pw-secret');
  });

  test('other config mistakes', async () => {
    const cases: Array<[string, string[], string]> = [
      ['[server\n', [], 'TOML syntax error'],
      [
        '',
        ['--db-type', 'badger'],
        '--db-type: db_type "badger" is a database format of the Go manager',
      ],
      [
        '[files]\ndb_type = "redis"\n',
        [],
        'files.db_file: db_type "redis" needs db_file = "redis://[user:password@]host:port/db"',
      ],
      [
        '[files]\ndb_type = "redis"\ndb_file = "redis://u:pw-secret@h:0/0"\n',
        [],
        'files.db_file: redis address redis://u:***@h:0/0 is not usable: port 0 is not 1 to 65535',
      ],
      ['', ['--db-type', 'redis', '--db-file', '/var/lib/x'], '--db-file: redis address'],
      ['[files]\ndb_type = "mysql"\n', [], 'unknown db_type "mysql"'],
      ['', ['--cert', 'a.crt'], '--cert and --key: give both or neither'],
      ['[server]\ntoken = "a"\ntoken_file = "b"\n', [], 'set token or token_file, not both'],
      ['[server]\ntoken = ""\n', [], 'server.token: must not be empty'],
      ['[server]\nhistory_size = -1\n', [], 'server.history_size: must be >= 0'],
      ['[server]\nhistory_size = 10001\n', [], 'server.history_size: must be <= 10000'],
      ['[server]\nhistory_size = "50"\n', [], 'server.history_size: must be an integer'],
    ];
    for (const [text, args, message] of cases) {
      const file = await conf(text);
      const c = capture();
      expect(await runCli(['--check-config', file, ...args], c.io)).toBe(2);
      expect(c.err()).toContain(message);
    }
    const missing = capture();
    expect(await runCli(['--config', '/nonexistent/manager.conf'], missing.io)).toBe(2);
    expect(missing.err()).toContain('error: /nonexistent/manager.conf: cannot read file: ENOENT');
  });

  test('token_file: the first line is the token; an empty one is refused', async () => {
    const dir = await dirs.make('tunasync-token-');
    await writeFile(join(dir, 'token'), 'abc\nignored\n');
    await writeFile(join(dir, 'empty'), '\n');
    const ok = capture();
    const good = await conf(`[server]\ntoken_file = ${JSON.stringify(join(dir, 'token'))}\n`);
    expect(await runCli(['--check-config', good], ok.io)).toBe(0);
    const bad = capture();
    const empty = await conf(`[server]\ntoken_file = ${JSON.stringify(join(dir, 'empty'))}\n`);
    expect(await runCli(['--check-config', empty], bad.io)).toBe(2);
    expect(bad.err()).toContain('has an empty first line');
  });
});

describe('credential files (SPEC §7.12)', () => {
  const hashLine = (name: string, token: string) =>
    `${name} sha256:${createHash('sha256').update(token).digest('hex')}`;

  test('--check-config reads worker_tokens_file and admin_tokens_file, naming file and line', async () => {
    const dir = await dirs.make('tunasync-tokens-');
    const workers = join(dir, 'workers');
    const admins = join(dir, 'admins');
    await writeFile(workers, `# ok\n${hashLine('w1', 'a')}\nw2 plain-token\n`);
    await writeFile(admins, `${hashLine('alice', 'b')}\n`);
    const keys = (w: string, a?: string) =>
      conf(
        `[server]\nworker_tokens_file = ${JSON.stringify(w)}\n` +
          (a === undefined ? '' : `admin_tokens_file = ${JSON.stringify(a)}\n`),
      );
    const bad = capture();
    const badFile = await keys(workers, admins);
    expect(await runCli(['--check-config', badFile], bad.io)).toBe(2);
    expect(bad.err()).toBe(
      `error: ${workers}:3: the hash of w2 is not "sha256:" and 64 hex digits; expected "<worker id> sha256:<64 hex digits>"\n` +
        `${badFile}: 1 error(s), 0 warning(s)\n`,
    );
    await writeFile(workers, `${hashLine('w1', 'a')}\n`);
    const good = capture();
    const file = await keys(workers, admins);
    expect(await runCli(['--check-config', file], good.io)).toBe(0);
    expect(good.err()).toBe('');
    const alone = capture();
    const aloneFile = await keys(workers);
    expect(await runCli(['--check-config', aloneFile], alone.io)).toBe(0);
    expect(alone.err()).toMatch(
      /^warning: .*worker_tokens_file without admin_tokens_file or token: tunasynctl/,
    );
    const missing = capture();
    expect(await runCli(['--check-config', await keys(join(dir, 'nope'))], missing.io)).toBe(2);
    expect(missing.err()).toContain(`server.worker_tokens_file: cannot read ${join(dir, 'nope')}`);
  });

  test('SIGHUP re-reads them: new tokens at once, a bad file keeps the old ones with one error', async () => {
    const dir = await dirs.make('tunasync-tokens-');
    const workers = join(dir, 'workers');
    await writeFile(workers, `${hashLine('w1', 'old-token')}\n`);
    const m = await startManagerProcess({
      config: `[server]\nworker_tokens_file = ${JSON.stringify(workers)}\n`,
    });
    try {
      const register = (token: string) =>
        call(
          `${m.url}/workers`,
          'POST',
          { id: 'w1', url: 'http://127.0.0.1:9/' },
          {
            headers: { authorization: `Bearer ${token}` },
          },
        ).then((r) => r.status);
      const hup = async (line: RegExp, count: number) => {
        m.child.kill('SIGHUP');
        const deadline = Date.now() + 5000;
        while ((m.output().match(new RegExp(line, 'g')) ?? []).length < count) {
          if (Date.now() > deadline) throw new Error(`no ${line} in:\n${m.output()}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      expect(await register('old-token')).toBe(200);
      await writeFile(workers, `${hashLine('w1', 'new-token')}\n`);
      await hup(/SIGHUP: credentials reloaded: 1 worker token of 1 worker/, 1);
      expect(await register('old-token')).toBe(401);
      expect(await register('new-token')).toBe(200);
      await writeFile(workers, 'new-token\n');
      await hup(/SIGHUP: credentials not reloaded, the previous tokens stay: /, 1);
      expect(await register('new-token')).toBe(200);
      expect(m.child.exitCode).toBeNull();
      const errors = m
        .output()
        .split('\n')
        .filter((l) => /error/i.test(l));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(`${workers}:1: expected "<worker id> sha256:<64 hex digits>"`);
      expect(m.output()).not.toMatch(/old-token|new-token/);
    } finally {
      expect(await m.stop()).toBe(0);
    }
  });
});

describe('runCli as a daemon (in process)', () => {
  test('serves until SIGTERM, writes and removes the pidfile, logs without timestamps for systemd', async () => {
    const dir = await dirs.make('tunasync-daemon-');
    const pidfile = join(dir, 'manager.pid');
    const c = capture();
    const log = new PassThrough();
    let logged = '';
    log.on('data', (chunk: Buffer) => (logged += chunk.toString()));
    const signals = new EventEmitter();
    const done = runCli(
      [
        '--addr',
        '127.0.0.1',
        '--port',
        '0',
        '--db-file',
        join(dir, 'db'),
        '--pidfile',
        pidfile,
        '--with-systemd',
        '--debug',
      ],
      { ...c.io, log, signals },
    );
    while (!/listening on (\S+)/.test(logged)) await new Promise((r) => setTimeout(r, 10));
    const url = (/listening on (\S+)/.exec(logged) as RegExpExecArray)[1] as string;
    expect(await readFile(pidfile, 'utf8')).toBe(`${process.pid}\n`);
    expect((await call(`${url}/ping`, 'GET')).json).toEqual({ message: 'pong' });
    expect(logged).toMatch(
      /^\[INFO\] tunasync-manager 0\.1\.0 listening on http:\/\/127\.0\.0\.1:\d+ \(database /m,
    );
    expect(logged).toMatch(/^\[DEBUG\] GET \/ping 200 /m);
    signals.emit('SIGTERM');
    expect(await done).toBe(0);
    await expect(stat(pidfile)).rejects.toThrow();
    expect(logged).toContain(
      '[INFO] SIGTERM received: finishing running requests and closing the database',
    );
  });

  test('a locked database stops start-up with the clear message and exit 1', async () => {
    const dir = await dirs.make('tunasync-locked-');
    const holder = await startManagerProcess({ dbDir: join(dir, 'db') });
    try {
      const c = capture();
      const code = await runCli(['--port', '0', '--db-file', holder.dbDir], c.io);
      expect(code).toBe(1);
      expect(c.out()).toContain(
        `[ERROR][manager] cannot start: database ${holder.dbDir} is locked: another tunasync-manager (or another program, pid ${holder.child.pid}) has it open; stop that process first`,
      );
    } finally {
      expect(await holder.stop()).toBe(0);
    }
  });

  test('an address in use is exit 1; a foreign db_file is exit 2 with guidance, untouched', async () => {
    const dir = await dirs.make('tunasync-fail-');
    const holder = await startManagerProcess();
    try {
      const c = capture();
      expect(
        await runCli(['--port', String(holder.port), '--db-file', join(dir, 'db')], c.io),
      ).toBe(1);
      expect(c.out()).toContain(
        `cannot start: cannot listen on 127.0.0.1:${holder.port}: EADDRINUSE`,
      );
    } finally {
      await holder.stop();
    }
    const bolt = Buffer.alloc(4096);
    bolt.writeUInt32LE(0xed0cdaed, 16);
    await writeFile(join(dir, 'tunasync.db'), bolt);
    const b = capture();
    expect(await runCli(['--port', '0', '--db-file', join(dir, 'tunasync.db')], b.io)).toBe(2);
    expect(b.out()).toMatch(
      /\[ERROR\]\[manager\] cannot start: Go bolt database \S+tunasync\.db cannot be read \(not a bolt database: meta page 0 has format version 0, not 2; .*\); it was left untouched/,
    );
    expect(await readdir(dir)).not.toContain('tunasync.db.leveldb');
    expect(await readFile(join(dir, 'tunasync.db'))).toEqual(bolt);

    const badger = join(dir, 'badger');
    await mkdir(badger);
    await writeFile(join(badger, '000001.vlog'), 'v');
    await writeFile(join(badger, '000005.sst'), 's');
    const g = capture();
    expect(await runCli(['--port', '0', '--db-file', badger], g.io)).toBe(2);
    expect(g.out().trim().split('\n')).toEqual([
      expect.stringMatching(
        /\[ERROR\]\[manager\] cannot start: database \S+ holds files but no LevelDB CURRENT: it looks like a Go badger database \(000001\.vlog\); this manager does not read badger; it was left untouched — point db_file at a new, empty directory$/,
      ),
    ]);
    expect((await readdir(badger)).sort()).toEqual(['000001.vlog', '000005.sst']);
  });
});

describe('the built binary', () => {
  test('--version and --help work from bin/tunasync-manager.js', async () => {
    const v = await run(process.execPath, [MANAGER_BIN, '--version']);
    expect(v.stdout).toBe('tunasync-manager 0.1.0\n');
    const h = await run(process.execPath, [MANAGER_BIN, '--help']);
    expect(h.stdout).toBe(USAGE);
    const bad = await run(process.execPath, [MANAGER_BIN, '--nope']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((bad as { code: number }).code).toBe(2);
  });

  test('serves the API from a config file, keeps data over a restart, exits 0 on SIGTERM and SIGINT, survives SIGHUP', async () => {
    const dir = await dirs.make('tunasync-bin-');
    const dbDir = join(dir, 'db');
    const first = await startManagerProcess({ dbDir, config: '[server]\ntoken = "tok"\n' });
    try {
      const auth = { authorization: 'Bearer tok' };
      expect(
        (
          await call(
            `${first.url}/workers`,
            'POST',
            { id: 'w1', url: 'http://127.0.0.1:1/' },
            { headers: auth },
          )
        ).status,
      ).toBe(200);
      expect(
        (await call(`${first.url}/workers`, 'POST', { id: 'w2', url: 'http://127.0.0.1:1/' }))
          .status,
      ).toBe(401);
      expect(
        (
          await call(`${first.url}/workers/w1/jobs/m1`, 'POST', report('w1', 'm1', 'success'), {
            headers: auth,
          })
        ).status,
      ).toBe(200);
      expect(first.output()).toContain('Worker <w1> registered');
    } finally {
      expect(await first.stop()).toBe(0);
    }
    expect(first.output()).not.toContain('tok"');

    const second = await startManagerProcess({ dbDir });
    try {
      const jobs = (await call(`${second.url}/jobs`, 'GET')).json as Array<{ name: string }>;
      expect(jobs.map((j) => j.name)).toEqual(['m1']);
      // SIGHUP (systemctl reload, a closed terminal) is logged and ignored, never fatal.
      second.child.kill('SIGHUP');
      const deadline = Date.now() + 10_000;
      while (!second.output().includes('SIGHUP ignored')) {
        if (Date.now() > deadline) throw new Error(`no SIGHUP line in:\n${second.output()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect((await call(`${second.url}/ping`, 'GET')).status).toBe(200);
      second.child.kill('SIGINT');
      const [code] = (await once(second.child, 'exit')) as [number];
      expect(code).toBe(0);
    } finally {
      await second.stop();
    }
  });

  test('a request running at SIGTERM is finished before the exit', async () => {
    // A worker whose control server answers slowly keeps a /cmd request in flight.
    const slow = spawn(process.execPath, [
      '-e',
      `require('http').createServer((q, s) => { console.log('request'); setTimeout(() => s.end('{"msg":"OK"}'), 300); }).listen(0, '127.0.0.1', function () { console.log('port ' + this.address().port); });`,
    ]);
    let printed = '';
    slow.stdout.on('data', (c: Buffer) => (printed += c.toString()));
    const slowExited = once(slow, 'exit');
    /** Waits (bounded) until the slow worker printed `pattern`. */
    const waitFor = async (pattern: RegExp, what: string) => {
      const deadline = Date.now() + 10_000;
      while (!pattern.test(printed)) {
        if (Date.now() > deadline) throw new Error(`slow worker: no ${what}; printed ${printed}`);
        await new Promise((r) => setImmediate(r));
      }
      return pattern.exec(printed) as RegExpExecArray;
    };
    let m: Awaited<ReturnType<typeof startManagerProcess>> | undefined;
    try {
      const port = (await waitFor(/port (\d+)/, 'port'))[1] as string;
      m = await startManagerProcess();
      await call(`${m.url}/workers`, 'POST', { id: 'w1', url: `http://127.0.0.1:${port}/` });
      const inFlight = call(`${m.url}/cmd`, 'POST', {
        cmd: 'ping',
        worker_id: 'w1',
        mirror_id: 'm1',
      });
      await waitFor(/request/, 'request'); // the command is now waiting on the worker
      const code = m.stop();
      const reply = await inFlight;
      expect(reply.status).toBe(200);
      expect(await code).toBe(0);
    } finally {
      await m?.stop();
      slow.kill('SIGKILL');
      await slowExited;
    }
  });
});

// Issue #18, point 4, on the built programs: every configuration message says file:line, a
// mirror by its name, and a TOML syntax error in words at file:line:column —
// `tunasync-worker --check-config`, `tunasync-manager --check-config`, and tunasynctl with a
// broken ctl.conf.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TempDirs } from '@tunasync/test-utils';

const ROOT = resolve(__dirname, '../../..');
const BIN = {
  manager: join(ROOT, 'apps', 'manager', 'bin', 'tunasync-manager.js'),
  worker: join(ROOT, 'apps', 'worker', 'bin', 'tunasync-worker.js'),
  ctl: join(ROOT, 'apps', 'ctl', 'bin', 'tunasynctl.js'),
};

interface Ran {
  code: number;
  stdout: string;
  stderr: string[];
}

function node(bin: string, args: string[], cwd: string): Promise<Ran> {
  return new Promise((done) => {
    const env = { ...process.env, HOME: cwd };
    execFile(process.execPath, [bin, ...args], { cwd, env }, (err, stdout, stderr) => {
      const code = err ? Number((err as { code?: unknown }).code ?? -1) : 0;
      done({ code, stdout, stderr: stderr.split('\n').filter((l) => l !== '') });
    });
  });
}

const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

/** A folder with the given files; answers its path. */
async function folder(files: Record<string, string>): Promise<string> {
  const dir = await dirs.make('tunasync-config-messages-');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const WORKER_HEAD = [
  '[global]', // 1
  'name = "w"', // 2
  'log_dir = "/l"', // 3
  'mirror_dir = "/m"', // 4
  '[manager]', // 5
  'api_base = "http://127.0.0.1:1"', // 6
  '',
].join('\n');

describe('tunasync-worker --check-config', () => {
  let dir = '';
  const check = async (files: Record<string, string>) => {
    dir = await folder(files);
    return node(BIN.worker, ['--check-config', 'worker.conf'], dir);
  };

  it('names a mirror by its name and the line of the key, in the file and in an included one', async () => {
    const ran = await check({
      'worker.conf':
        WORKER_HEAD +
        [
          '[include]', // 7
          'include_mirrors = "mirrors.d/*.conf"', // 8
          '[[mirrors]]', // 9
          'name = "debian"', // 10
          'provider = "rsync"', // 11
          'upstream = "rsync://x/debian"', // 12
          '[[mirrors]]', // 13
          'name = "ubuntu"', // 14
          'provider = "rsync"', // 15
          'upstrem = "rsync://x/ubuntu/"', // 16
          '',
        ].join('\n'),
      'mirrors.d/a.conf': [
        '# mirrors of a', // 1
        '[[mirrors]]', // 2
        'provider = "rsync"', // 3
        'name = "debian"', // 4
        'upstream = "rsync://y/debian/"', // 5
        'retry = -1', // 6
        '',
      ].join('\n'),
    });
    expect(ran.code).toBe(2);
    expect(ran.stderr.sort()).toEqual(
      [
        'error: worker.conf:12:mirrors[debian].upstream: must end with "/" for an rsync mirror (got "rsync://x/debian")',
        'error: worker.conf:16:mirrors[ubuntu].upstrem: unknown key, did you mean `upstream`?',
        'error: worker.conf:13:mirrors[ubuntu].upstream: must be set for an rsync mirror',
        `error: ${dir}/mirrors.d/a.conf:6:mirrors[debian].retry: must be >= 0`,
        `error: ${dir}/mirrors.d/a.conf:4:mirrors[debian].name: duplicate mirror name "debian" (first defined at worker.conf:9:mirrors[debian])`,
        'worker.conf: 5 error(s), 0 warning(s)',
      ].sort(),
    );
  });

  it('a key a template sets is reported once, at its line, naming the mirrors that inherit it', async () => {
    const ran = await check({
      'worker.conf':
        WORKER_HEAD +
        [
          '[[mirrors]]', // 7
          'provider = "command"', // 8
          'command = "/bin/true"', // 9
          'size_pattern = "no group"', // 10
          '  [[mirrors.mirrors]]', // 11
          '  name = "a"', // 12
          '  [[mirrors.mirrors]]', // 13
          '  name = "b"', // 14
          '  memory_limit = "lots"', // 15
          '',
        ].join('\n'),
    });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toEqual([
      'error: worker.conf:15:mirrors[0].mirrors[b].memory_limit: invalid memory limit "lots": expected a number of bytes with an optional unit k, M, G, T or P (e.g. 256M)',
      'error: worker.conf:10:mirrors[0].size_pattern: must have a capture group holding the size, e.g. "size: ([0-9.]+[KMGTP]?)"; mirror(s) a, b',
      'worker.conf: 2 error(s), 0 warning(s)',
    ]);
  });

  it('places a key of a section at its line, a missing one at its table', async () => {
    const ran = await check({
      'worker.conf': '[global]\nconcurrent = "ten"\n[manager]\napi_base = "ftp://x/"\n',
    });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toEqual([
      'error: worker.conf:2:global.concurrent: must be an integer',
      'error: worker.conf:1:global.name: is required',
      'error: worker.conf:4:manager.api_base: must be an http:// or https:// URL (got "ftp://x/")',
      'worker.conf: 3 error(s), 0 warning(s)',
    ]);
  });

  it.each([
    ['name = w', '2:8', 'a string value must be in quotes (`key = "value"`)'],
    ['[manager\napi_base = "http://x/"', '2:9', 'missing closing ] of the table header'],
    ['name = "w"\nname = "v"', '3:1', 'duplicate key `global.name`'],
    ['name = "w', '2:10', 'missing closing `"` of a string'],
  ])('a TOML syntax error in words: %j', async (body, where, reason) => {
    const ran = await check({ 'worker.conf': `[global]\n${body}\n` });
    expect(ran).toEqual({
      code: 2,
      stdout: '',
      stderr: [
        `error: worker.conf:${where}: TOML syntax error: ${reason}`,
        'worker.conf: 1 error(s), 0 warning(s)',
      ],
    });
  });
});

describe('tunasync-manager --check-config', () => {
  const check = async (text: string) =>
    node(BIN.manager, ['--check-config', 'manager.conf'], await folder({ 'manager.conf': text }));

  it('says file:line:key of every problem and warning', async () => {
    const ran = await check(
      '[server]\naddr = "127.0.0.1"\nport = "x"\ncolour = "red"\n[files]\ndb_type = "badger"\n',
    );
    expect(ran.code).toBe(2);
    expect(ran.stderr).toEqual([
      'warning: manager.conf:4:server.colour: unknown key',
      'error: manager.conf:3:server.port: must be an integer',
      'manager.conf: 1 error(s), 1 warning(s)',
    ]);
  });

  it.each([
    ['[server\nport = 1', '1:8', 'missing closing ] of the table header'],
    ['[server]\nport = 1\nport = 2', '3:1', 'duplicate key `server.port`'],
    ['[files]\ndb_type = leveldb', '2:11', 'a string value must be in quotes (`key = "value"`)'],
    ['[server]\nport =', '2:7', 'a value is missing after `=`'],
  ])('a TOML syntax error in words: %j', async (text, where, reason) => {
    const ran = await check(`${text}\n`);
    expect(ran).toEqual({
      code: 2,
      stdout: '',
      stderr: [
        `error: manager.conf:${where}: TOML syntax error: ${reason}`,
        'manager.conf: 1 error(s), 0 warning(s)',
      ],
    });
  });
});

describe('tunasynctl with a broken ctl.conf', () => {
  const workers = async (text: string) =>
    node(BIN.ctl, ['workers', '--config', 'ctl.conf'], await folder({ 'ctl.conf': text }));

  it.each([
    ['manager_addr = localhost', '1:16', 'a string value must be in quotes (`key = "value"`)'],
    ['manager_port = [1, 2', '2:1', 'missing closing ] of an array'],
    ['token = "a"\ntoken = "b"', '2:1', 'duplicate key `token`'],
  ])('a TOML syntax error in words: %j', async (text, where, reason) => {
    const ran = await workers(`${text}\n`);
    expect(ran).toEqual({
      code: 2,
      stdout: '',
      stderr: [`tunasynctl: ctl.conf:${where}: TOML syntax error: ${reason}`],
    });
  });

  it('a wrong value names file:line:key, an unknown key is a warning at its line', async () => {
    const ran = await workers('colour = "red"\nmanager_port = "x"\n');
    expect(ran.code).toBe(2);
    expect(ran.stderr).toEqual([
      '[WARN] ctl.conf:1:colour: unknown key',
      'tunasynctl: ctl.conf:2:manager_port: must be an integer',
    ]);
  });
});

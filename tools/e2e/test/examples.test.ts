// The operator files of the repository: examples/*.conf pass the built programs' own checks
// (also with their commented-out keys switched on), and the systemd units under
// packaging/systemd are valid units.
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  TempDirs,
  findExecutable,
  startManagerProcess,
  type ManagerProcess,
} from '@tunasync/test-utils';

const execFileAsync = promisify(execFile);
const ROOT = resolve(__dirname, '../../..');
const BIN = {
  manager: join(ROOT, 'apps', 'manager', 'bin', 'tunasync-manager.js'),
  worker: join(ROOT, 'apps', 'worker', 'bin', 'tunasync-worker.js'),
  ctl: join(ROOT, 'apps', 'ctl', 'bin', 'tunasynctl.js'),
};
const EXAMPLES = join(ROOT, 'examples');
const UNITS = join(ROOT, 'packaging', 'systemd');
const UNIT_FILES = ['tunasync-manager.service', 'tunasync-worker.service'];

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  try {
    const { stdout, stderr } = await execFileAsync(file, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : -1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
    };
  }
}

const node = (bin: string, args: string[], env?: NodeJS.ProcessEnv) =>
  run(process.execPath, [bin, ...args], env);

const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

/**
 * The example with every commented-out `# key = value` line switched on, and its
 * /etc/tunasync paths moved into `root`, where the files they name are created.
 */
function uncommented(file: string, root: string): string {
  const text = readFileSync(join(EXAMPLES, file), 'utf8')
    .replace(/^# ([a-z_]+ = .*)$/gm, '$1')
    .replaceAll('/etc/tunasync/', `${root}/etc/tunasync/`);
  const target = join(root, file);
  writeFileSync(target, text);
  return target;
}

function createReferencedFiles(root: string): void {
  const etc = join(root, 'etc', 'tunasync');
  mkdirSync(join(etc, 'tls'), { recursive: true });
  mkdirSync(join(etc, 'mirrors.d'), { recursive: true });
  for (const name of ['manager.crt', 'manager.key', 'worker.crt', 'worker.key', 'ca.crt']) {
    writeFileSync(join(etc, 'tls', name), `${name} (stand-in: the check reads it, no handshake)\n`);
  }
  writeFileSync(join(etc, 'token'), 'a-long-random-token\n');
  // What `tunasynctl token create` prints as the line of a tokens file.
  writeFileSync(join(etc, 'worker-tokens'), `# workers\nworker1 sha256:${'ab'.repeat(32)}\n`);
  writeFileSync(join(etc, 'admin-tokens'), `alice sha256:${'cd'.repeat(32)}\n`);
  writeFileSync(
    join(etc, 'mirrors.d', 'extra.conf'),
    '[[mirrors]]\nname = "extra"\nprovider = "rsync"\nupstream = "rsync://rsync.example.org/extra/"\n',
  );
}

describe('examples/manager.conf', () => {
  it('passes tunasync-manager --check-config --strict', async () => {
    const result = await node(BIN.manager, ['--check-config', 'examples/manager.conf', '--strict']);
    expect(result).toEqual({
      code: 0,
      stdout: expect.stringMatching(
        /^database: a start would .+\nexamples\/manager\.conf: OK, 0 warning\(s\)\n$/,
      ),
      stderr: '',
    });
  });

  it('with its commented-out keys switched on (and their files present) it still passes', async () => {
    const root = await dirs.make('tunasync-examples-');
    createReferencedFiles(root);
    const file = uncommented('manager.conf', root);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^ssl_cert = /m);
    expect(text).toMatch(/^token_file = /m);
    expect(text).toMatch(/^worker_tokens_file = /m);
    expect(text).toMatch(/^admin_tokens_file = /m);
    expect(text).toMatch(/^ca_cert = /m);
    for (const key of ['enable', 'mirror_url_prefix', 'abbr', 'logo_darkmode', 'hidden']) {
      expect(text).toMatch(new RegExp(`^${key} = `, 'm'));
    }
    const result = await node(BIN.manager, ['--check-config', file, '--strict']);
    expect(result).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^database: a start would .+\n/),
      stderr: '',
    });
    expect(result.stdout.endsWith(`\n${file}: OK, 0 warning(s)\n`)).toBe(true);
  });
});

describe('examples/worker.conf', () => {
  it('passes tunasync-worker --check-config --strict', async () => {
    const result = await node(BIN.worker, ['--check-config', 'examples/worker.conf', '--strict']);
    expect(result).toEqual({
      code: 0,
      stdout: 'examples/worker.conf: OK, 7 mirror(s), 0 warning(s)\n',
      stderr: '',
    });
  });

  it('with its commented-out keys switched on (and their files present) it still passes', async () => {
    const root = await dirs.make('tunasync-examples-');
    createReferencedFiles(root);
    const file = uncommented('worker.conf', root);
    const text = readFileSync(file, 'utf8');
    for (const key of ['api_base_list', 'token', 'ssl_key', 'zpool', 'include_mirrors']) {
      expect(text).toMatch(new RegExp(`^${key} = `, 'm'));
    }
    const result = await node(BIN.worker, ['--check-config', file, '--strict']);
    // The included file adds its mirror to the 7.
    expect(result).toEqual({
      code: 0,
      stdout: `${file}: OK, 8 mirror(s) (1 included file(s)), 0 warning(s)\n`,
      stderr: '',
    });
  });

  it('a mistake in it is caught (the check is not a rubber stamp)', async () => {
    const root = await dirs.make('tunasync-examples-');
    const file = join(root, 'worker.conf');
    writeFileSync(
      file,
      readFileSync(join(EXAMPLES, 'worker.conf'), 'utf8').replace(
        'upstream = "rsync://rsync.example.org/debian/"',
        'upstream = "rsync://rsync.example.org/debian"',
      ),
    );
    const result = await node(BIN.worker, ['--check-config', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /worker\.conf:98:mirrors\[debian\]\.upstream: must end with "\/"/,
    );
  });
});

describe('examples/ctl.conf', () => {
  let manager: ManagerProcess | undefined;
  afterEach(async () => {
    await manager?.stop();
    manager = undefined;
  });

  it('tunasynctl --config examples/ctl.conf reads it (no warning) and talks to the manager it names', async () => {
    manager = await startManagerProcess();
    const home = await dirs.make('tunasync-examples-home-');
    // The file names 127.0.0.1:14242; the port flag points it at this test's manager.
    const result = await node(
      BIN.ctl,
      ['list', '--all', '--config', 'examples/ctl.conf', '-p', String(manager.port), '-v'],
      { HOME: home },
    );
    expect(result).toEqual({
      code: 0,
      stdout: '[]\n',
      stderr: `[INFO] Loading config: examples/ctl.conf\n[INFO] Use manager address: http://127.0.0.1:${manager.port}\n`,
    });
  });
});

/** Key=value pairs of each [Section] of a unit file (comments and blank lines skipped). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const section = /^\[([A-Za-z]+)\]$/.exec(line);
    if (section) {
      current = new Map();
      sections.set(section[1]!, current);
      return;
    }
    const pair = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
    if (!pair || !current) throw new Error(`line ${i + 1}: not a unit-file line: ${raw}`);
    current.set(pair[1]!, [...(current.get(pair[1]!) ?? []), pair[2]!]);
  });
  return sections;
}

describe('packaging/systemd units', () => {
  it.each(UNIT_FILES)('%s has what the README promises', (unit) => {
    const sections = parseUnit(readFileSync(join(UNITS, unit), 'utf8'));
    expect([...sections.keys()]).toEqual(['Unit', 'Service', 'Install']);
    const service = sections.get('Service')!;
    const program = unit.replace('.service', '');
    const config = program.replace('tunasync-', '');
    expect(service.get('ExecStart')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^/usr/local/bin/${program} --config /etc/tunasync/${config}\\.conf .*--with-systemd`,
        ),
      ),
    ]);
    expect(service.get('User')).toEqual(['tunasync']);
    expect(service.get('NoNewPrivileges')).toEqual(['yes']);
    expect(service.get('ProtectSystem')).toEqual(['strict']);
    expect(sections.get('Install')!.get('WantedBy')).toEqual(['multi-user.target']);
    // The worker reloads worker.conf on SIGHUP, the manager its token files.
    expect(service.get('ExecReload')).toEqual(['/bin/kill -HUP $MAINPID']);
    if (unit === 'tunasync-worker.service') {
      // rsync must be able to write the mirror tree the example worker.conf names.
      const mirrorDir = /^mirror_dir = "(.*)"$/m.exec(
        readFileSync(join(EXAMPLES, 'worker.conf'), 'utf8'),
      )?.[1];
      expect(service.get('ReadWritePaths')).toEqual([mirrorDir]);
      expect(service.get('LogsDirectory')).toEqual(['tunasync']); // log_dir /var/log/tunasync/…
    } else {
      expect(service.get('StateDirectory')).toEqual(['tunasync']); // db_file /var/lib/tunasync/…
    }
  });

  it('systemd-analyze verify accepts both units (when systemd-analyze is installed)', async () => {
    const analyze = findExecutable('systemd-analyze');
    if (analyze === undefined) {
      // No systemd tools here: the parse checks above are what can run.
      expect(parseUnit(readFileSync(join(UNITS, UNIT_FILES[0]!), 'utf8')).size).toBe(3);
      return;
    }
    // A throw-away root: the host's standard units, the units under test, and the
    // programs they run (the built bins, as `npm install -g` would place them).
    const root = await dirs.make('tunasync-systemd-root-');
    mkdirSync(join(root, 'etc', 'systemd', 'system'), { recursive: true });
    mkdirSync(join(root, 'usr', 'local', 'bin'), { recursive: true });
    mkdirSync(join(root, 'bin'), { recursive: true });
    mkdirSync(join(root, 'tmp'), { recursive: true });
    cpSync('/lib/systemd/system', join(root, 'lib', 'systemd', 'system'), {
      recursive: true,
      verbatimSymlinks: true,
    });
    for (const unit of UNIT_FILES) {
      copyFileSync(join(UNITS, unit), join(root, 'etc', 'systemd', 'system', unit));
    }
    copyFileSync(BIN.manager, join(root, 'usr', 'local', 'bin', 'tunasync-manager'));
    copyFileSync(BIN.worker, join(root, 'usr', 'local', 'bin', 'tunasync-worker'));
    copyFileSync(findExecutable('kill') ?? '/bin/kill', join(root, 'bin', 'kill'));
    const result = await run(analyze, ['verify', `--root=${root}`, ...UNIT_FILES]);
    // Unknown keys and bad values are only warnings for systemd: nothing may be printed.
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});

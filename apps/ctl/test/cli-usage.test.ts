import { readFile, symlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { TempDirs } from '@tunasync/test-utils';
import { CTL_BIN, runCtl } from './helpers/run-ctl';

const dirs = new TempDirs();
let home: string;
beforeAll(async () => {
  home = await dirs.make('ctl-usage-');
});
afterAll(() => dirs.cleanup());

const ctl = (...args: string[]) => runCtl(args, { home });

describe('tunasynctl help, version and usage errors (no manager needed)', () => {
  it('prints the program help on stdout with --help', async () => {
    const result = await ctl('--help');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^tunasynctl: control client for the tunasync manager\n/);
    for (const command of [
      'list',
      'workers',
      'history',
      'flush',
      'rm-worker',
      'set-size',
      'start',
    ]) {
      expect(result.stdout).toContain(`\n  ${command} `);
    }
    expect(result.stdout).not.toContain('__complete');
  });

  it('prints a command help with COMMAND --help and help COMMAND', async () => {
    const byFlag = await ctl('list', '--help');
    expect(byFlag.code).toBe(0);
    expect(byFlag.stdout).toContain(
      'Usage: tunasynctl list [-a|--all] [-s|--status S1,S2…] [--stale] [-f|--format TEMPLATE] [WORKER…]',
    );
    expect(byFlag.stdout).toContain('{{.Field}}');
    expect(byFlag.stdout).toContain('--ca-cert CERT');
    const byHelp = await ctl('help', 'list');
    expect(byHelp.stdout).toBe(byFlag.stdout);
    expect((await ctl('help')).stdout).toContain('Commands:');
    const start = await ctl('start', '-h');
    expect(start.stdout).toContain('-f, --force');
    const history = await ctl('history', '--help');
    expect(history.stdout).toContain(
      'Usage: tunasynctl history [--limit K] [-f|--format TEMPLATE] (-w WORKER MIRROR | WORKER MIRROR)',
    );
    expect(history.stdout).toContain('--limit K');
    expect(history.stdout).toContain('of history: Name Worker Started StartedTs Ended EndedTs');
  });

  it('prints the version with --version and -v', async () => {
    const result = await ctl('--version');
    // The format of tunasync-manager and tunasync-worker (Go printed `Version: X`).
    expect(result).toEqual({ code: 0, stdout: 'tunasynctl 0.1.0\n', stderr: '' });
    expect((await ctl('-v')).stdout).toBe('tunasynctl 0.1.0\n');
  });

  it.each([
    [[], 'no command given'],
    [['frobnicate'], 'unknown command "frobnicate" (run "tunasynctl --help" for the list)'],
    [['help', 'frobnicate'], 'no help for unknown command "frobnicate"'],
    [['list', '--bogus'], "list: Unknown option '--bogus'"],
    [['list', '-p'], "list: Option '-p, --port <value>' argument missing"],
    [['list', '-s', '-a'], "list: Option '-s' argument is ambiguous"],
    [['list'], 'list: give at least one WORKER or --all'],
    [['list', '-a', '-s', 'success,bogus'], 'list: unknown status "bogus" in --status'],
    [['list', '-a', '-p', 'http'], 'list: invalid port "http": must be 1 to 65535'],
    [['list', '-a', '-p', '70000'], 'list: invalid port "70000": must be 1 to 65535'],
    [['list', 'bad/name'], 'list: invalid worker name "bad/name": must start with a letter'],
    [['list', '-a', '-f', '{{.Name'], 'invalid --format template: 1:1: unclosed action'],
    [['workers', 'extra'], 'workers: takes no arguments'],
    [['flush', 'extra'], 'flush: takes no arguments'],
    [['rm-worker'], 'rm-worker: please specify the worker with -w WORKER'],
    [['rm-worker', '-w', 'w1', 'x'], 'rm-worker: takes no arguments besides -w WORKER'],
    [['set-size', '-w', 'w1', 'debian'], 'set-size: needs exactly MIRROR and SIZE'],
    [['set-size', '-w', 'w1', '../x', '1G'], 'set-size: invalid mirror name "../x"'],
    [['start', 'debian'], 'start: please specify the worker with -w WORKER'],
    [['stop', '-w', 'w1'], 'stop: needs the MIRROR and at most one comma-separated list of ARGs'],
    [['ping', '-w', 'w1', 'a', 'b', 'c'], 'ping: needs the MIRROR'],
    [['stop', '-w', 'w1', '-f', 'debian'], "stop: Unknown option '-f'"],
    [['reload'], 'reload: please specify the worker with -w WORKER'],
    [['reload', '-w', 'w1', 'debian'], 'reload: takes no arguments besides -w WORKER'],
    [['history'], 'history: needs WORKER and MIRROR (or -w WORKER MIRROR)'],
    [['history', 'w1'], 'history: needs WORKER and MIRROR (or -w WORKER MIRROR)'],
    [['history', 'w1', 'a', 'b'], 'history: needs WORKER and MIRROR (or -w WORKER MIRROR)'],
    [['history', '-w', 'w1'], 'history: needs exactly MIRROR after -w WORKER'],
    [['history', '-w', 'w1', 'w1', 'debian'], 'history: needs exactly MIRROR after -w WORKER'],
    [['history', '-w', '', 'debian'], 'history: please specify the worker with -w WORKER'],
    [['history', 'bad/name', 'debian'], 'history: invalid worker name "bad/name"'],
    [['history', '-w', 'w1', '../x'], 'history: invalid mirror name "../x"'],
    [
      ['history', 'w1', 'a', '--limit', '0'],
      'history: invalid --limit "0": must be a whole number',
    ],
    [['history', 'w1', 'a', '--limit', 'ten'], 'history: invalid --limit "ten"'],
    [['history', 'w1', 'a', '--limit=-1'], 'history: invalid --limit "-1"'],
    [['history', 'w1', 'a', '--limit', '-1'], "history: Option '--limit' argument is ambiguous"],
    [['history', 'w1', 'a', '--limit', '2.5'], 'history: invalid --limit "2.5"'],
    [['history', 'w1', 'a', '--limit'], "history: Option '--limit <value>' argument missing"],
    [['history', 'w1', 'a', '-f', '{{if}}'], 'invalid --format template'],
    [['completion'], 'completion: needs exactly one shell: bash or zsh'],
    [['completion', 'fish'], 'completion: unsupported shell "fish" (bash or zsh)'],
    [['__complete', 'nothing'], '__complete: needs workers or mirrors'],
  ])('exits 2 with the usage for %j', async (args, message) => {
    const result = await ctl(...args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const [first, usage] = result.stderr.split('\n');
    expect(first).toContain(`tunasynctl: ${message}`);
    expect(usage).toMatch(/^Usage: tunasynctl /);
    expect(result.stderr).toMatch(/Run "tunasynctl (\S+ )?--help" for more\.\n$/);
  });
});

describe('tunasyncctl, the second name of the same program', () => {
  it('is a bin entry of the package, the same file as tunasynctl', async () => {
    const pkg = JSON.parse(await readFile(join(CTL_BIN, '..', '..', 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(pkg.bin).toEqual({ tunasynctl: 'bin/tunasynctl.js', tunasyncctl: 'bin/tunasynctl.js' });
  });

  it('called through a link named tunasyncctl (as npm installs it), speaks as tunasyncctl', async () => {
    const dir = await dirs.make('ctl-alias-');
    const link = join(dir, 'tunasyncctl');
    await symlink(relative(dir, CTL_BIN), link);
    const alias = (...args: string[]) => runCtl(args, { home, bin: link });

    expect((await alias('--version')).stdout).toBe('tunasyncctl 0.1.0\n');
    const help = await alias('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^tunasyncctl: control client for the tunasync manager\n/);
    expect(help.stdout).toContain('Usage: tunasyncctl COMMAND [options] [arguments]');
    expect(help.stdout).not.toMatch(/\btunasynctl\b/);
    expect((await alias('help', 'list')).stdout).toContain('Usage: tunasyncctl list [-a|--all]');

    const usage = await alias('list');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe(
      'tunasyncctl: list: give at least one WORKER or --all\n' +
        'Usage: tunasyncctl list [-a|--all] [-s|--status S1,S2…] [--stale] [-f|--format TEMPLATE] [WORKER…]\n' +
        'Run "tunasyncctl list --help" for more.\n',
    );
  });
});

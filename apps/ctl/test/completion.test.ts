import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { TempDirs, requireTool } from '@tunasync/test-utils';
import type { StandIn } from './helpers/fake-manager';
import { json, startStandIn } from './helpers/fake-manager';
import { CTL_BIN, runCtl } from './helpers/run-ctl';

/*
 * The completion scripts as the shells use them: bash really sources the script and runs
 * the completion function, which calls the built tunasynctl for names.
 */

const dirs = new TempDirs();
let home: string;
let server: StandIn;
let bashScript: string;

beforeAll(async () => {
  requireTool('bash', 'apt-get install -y bash');
  home = await dirs.make('ctl-completion-');
  server = await startStandIn((method, url) => {
    if (url === '/workers') return json(200, [{ id: 'w2' }, { id: 'w1' }]);
    if (url === '/jobs')
      return json(200, [{ name: 'ubuntu' }, { name: 'debian' }, { name: 'debian' }]);
    if (url === '/workers/w1/jobs') return json(200, [{ name: 'alpine' }, { name: 'archlinux' }]);
    return undefined;
  });
  const result = await runCtl(['completion', 'bash'], { home });
  expect(result.code).toBe(0);
  bashScript = join(home, 'tunasynctl.bash');
  await writeFile(bashScript, result.stdout);
});
afterAll(async () => {
  await server.close();
  await dirs.cleanup();
});

/** Complete the command line `words` (the last word being completed) in a real bash. */
function complete(words: string[]): Promise<string[]> {
  const script = [
    `source ${JSON.stringify(bashScript)}`,
    `COMP_WORDS=(${[CTL_BIN, ...words].map((w) => `'${w}'`).join(' ')})`,
    `COMP_CWORD=${words.length}`,
    '_tunasynctl',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      ['--norc', '--noprofile', '-c', script],
      {
        env: { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: home },
        encoding: 'utf8',
      },
      (error, stdout) => {
        if (error) reject(error);
        else resolve(stdout.split('\n').filter((line) => line !== ''));
      },
    );
  });
}

const at = () => ['-m', '127.0.0.1', '-p', String(server.port)];

describe('bash completion', () => {
  it('completes commands', async () => {
    expect(await complete(['re'])).toEqual(['restart', 'reload']);
    expect(await complete(['--v'])).toEqual(['--version']);
  });

  it("completes a command's flags", async () => {
    expect(await complete(['start', '--f'])).toEqual(['--force']);
    expect(await complete(['list', '--s'])).toEqual(['--status', '--stale']);
    expect(await complete(['list', '-s', 'pa'])).toEqual(['paused']);
    expect(await complete(['help', 'wo'])).toEqual(['workers']);
    expect(await complete(['completion', ''])).toEqual(['bash', 'zsh']);
    expect(await complete(['list', '-p', ''])).toEqual([]);
  });

  it('completes worker names from the manager', async () => {
    expect(await complete(['list', ...at(), ''])).toEqual(['w1', 'w2']);
    expect(await complete(['stop', ...at(), '-w', ''])).toEqual(['w1', 'w2']);
  });

  it('completes mirror names from the manager, of the chosen worker', async () => {
    expect(await complete(['start', ...at(), ''])).toEqual(['debian', 'ubuntu']);
    expect(await complete(['start', ...at(), '-w', 'w1', 'a'])).toEqual(['alpine', 'archlinux']);
  });

  it('history: a worker, then its mirrors; or the mirrors of -w', async () => {
    expect(await complete(['history', ...at(), ''])).toEqual(['w1', 'w2']);
    expect(await complete(['history', ...at(), 'w1', 'a'])).toEqual(['alpine', 'archlinux']);
    expect(await complete(['history', ...at(), '--limit', '3', 'w1', ''])).toEqual([
      'alpine',
      'archlinux',
    ]);
    expect(await complete(['history', ...at(), '-w', 'w1', ''])).toEqual(['alpine', 'archlinux']);
    expect(await complete(['history', '-w', 'w1', ...at(), '-f', 'x', ''])).toEqual([
      'alpine',
      'archlinux',
    ]);
    expect(await complete(['history', ...at(), 'w1', 'alpine', ''])).toEqual([]);
    expect(await complete(['history', ...at(), '-w', 'w1', 'alpine', ''])).toEqual([]);
    expect(await complete(['history', '--l'])).toEqual(['--limit']);
    expect(await complete(['history', '--limit', ''])).toEqual([]);
    expect(await complete(['his'])).toEqual(['history']);
  });

  it('is registered for both names, tunasynctl and tunasyncctl', async () => {
    const registered = await new Promise<string>((resolve, reject) => {
      execFile(
        'bash',
        ['--norc', '--noprofile', '-c', `source ${JSON.stringify(bashScript)}; complete -p`],
        { env: { PATH: '/usr/bin:/bin', HOME: home }, encoding: 'utf8' },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      );
    });
    expect(registered.split('\n').sort()).toEqual([
      '',
      'complete -F _tunasynctl tunasyncctl',
      'complete -F _tunasynctl tunasynctl',
    ]);
  });

  it('completes nothing, quietly, when the manager is down', async () => {
    expect(await complete(['list', '-p', '1', ''])).toEqual([]);
  });
});

describe('zsh completion', () => {
  it('prints a #compdef script that asks tunasynctl for names', async () => {
    const result = await runCtl(['completion', 'zsh'], { home });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^#compdef tunasynctl tunasyncctl\n/);
    expect(result.stdout).toContain('__complete $1 $_tunasynctl_conn');
    expect(result.stdout).toContain("'set-size:Set mirror size'");
    expect(result.stdout).toContain("'history:Show the last runs of a mirror'");
    expect(result.stdout).toContain('    history)\n');
    expect(result.stdout).toContain('else _tunasynctl_worker_then_mirror; fi\n');
    expect(result.stdout).toContain('compdef _tunasynctl tunasynctl tunasyncctl\n');
    expect(result.stdout).not.toContain("'__complete:");
  });
});

describe('__complete', () => {
  it('prints sorted unique names, one a line', async () => {
    expect((await runCtl(['__complete', 'mirrors', ...at()], { home })).stdout).toBe(
      'debian\nubuntu\n',
    );
    expect((await runCtl(['__complete', 'workers', ...at()], { home })).stdout).toBe('w1\nw2\n');
  });
});

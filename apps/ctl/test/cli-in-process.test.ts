import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TempDirs } from '@tunasync/test-utils';
import type { CliIo } from '../src/cli';
import { run } from '../src/cli';

/*
 * `run()` in this process: what the child-process tests cannot reach (the system-wide
 * ctl.conf, the request timeout) and the dispatcher's coverage.
 */

const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

function sinks(env: Record<string, string>, extra: Partial<CliIo> = {}) {
  const out = { stdout: '', stderr: '' };
  const io: CliIo = {
    stdout: { write: (text: string) => (out.stdout += text) },
    stderr: { write: (text: string) => (out.stderr += text) },
    env,
    ...extra,
  };
  return { out, io };
}

describe('run() in-process', () => {
  it('reads /etc/tunasync/ctl.conf first, then the user file wins', async () => {
    const dir = await dirs.make('ctl-run-');
    const server = createServer((req, res) => res.end(JSON.stringify([{ id: 'w1' }])));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const systemConfigFile = join(dir, 'system.conf');
      await writeFile(systemConfigFile, `manager_addr = "127.0.0.1"\nmanager_port = 1\n`);
      const home = join(dir, 'home');
      await mkdir(join(home, '.config', 'tunasync'), { recursive: true });
      await writeFile(join(home, '.config', 'tunasync', 'ctl.conf'), `manager_port = ${port}\n`);
      const { out, io } = sinks({ HOME: home }, { systemConfigFile });
      expect(await run(['workers', '-f', '{{.ID}}'], io)).toBe(0);
      expect(out).toEqual({ stdout: 'w1\n', stderr: '' });

      const sysOnly = sinks({}, { systemConfigFile });
      expect(await run(['workers'], sysOnly.io)).toBe(1);
      expect(sysOnly.out.stderr).toBe(
        'tunasynctl: cannot list the workers: cannot reach the manager at http://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1\n',
      );
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('gives up on a manager that does not answer in time', async () => {
    const pending: ServerResponse[] = [];
    const server: Server = createServer((req, res) => pending.push(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const { out, io } = sinks({}, { systemConfigFile: '/nonexistent', timeoutMs: 200 });
      expect(await run(['flush', '-m', '127.0.0.1', '-p', String(port)], io)).toBe(1);
      expect(out.stderr).toBe(
        `tunasynctl: cannot flush the disabled jobs: the manager at http://127.0.0.1:${port} did not answer within 0.2 s\n`,
      );
    } finally {
      for (const res of pending) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('reports an unexpected error in one line, with the stack under --debug', async () => {
    const broken: CliIo = {
      stdout: {
        write: () => {
          throw new Error('stdout is gone');
        },
      },
      stderr: { write: (text: string) => (errText += text) },
      env: {},
    };
    let errText = '';
    expect(await run(['completion', 'bash'], broken)).toBe(1);
    expect(errText).toBe('tunasynctl: internal error: stdout is gone\n');
    errText = '';
    expect(await run(['--help', '--debug'], broken)).toBe(1);
    expect(errText).toMatch(
      /^tunasynctl: internal error: stdout is gone\nError: stdout is gone\n {4}at /,
    );
  });
});

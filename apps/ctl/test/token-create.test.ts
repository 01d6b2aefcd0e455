import { createHash } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startManagerProcess, TempDirs } from '@tunasync/test-utils';
import { runCtl } from './helpers/run-ctl';

const dirs = new TempDirs();
let home: string;
beforeAll(async () => {
  home = await dirs.make('ctl-token-');
});
afterAll(() => dirs.cleanup());

const ctl = (...args: string[]) => runCtl(args, { home });

describe('tunasynctl token create', () => {
  it('prints a new token and its tokens-file line, calls nobody and writes nothing', async () => {
    const first = await ctl('token', 'create', '-w', 'w1', '-m', '127.0.0.1', '-p', '1');
    // The common flags are not taken: the command never talks to a manager.
    expect(first.code).toBe(2);
    const a = await ctl('token', 'create', '-w', 'w1');
    const b = await ctl('token', 'create', '--worker', 'w1');
    expect(a.code).toBe(0);
    const [token, line, rest] = a.stdout.split('\n');
    expect(rest).toBe('');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token as string, 'base64url')).toHaveLength(32);
    const hex = createHash('sha256')
      .update(token as string)
      .digest('hex');
    expect(line).toBe(`w1 sha256:${hex}`);
    expect(a.stderr).toContain('worker_tokens_file and send the manager SIGHUP');
    expect(b.stdout.split('\n')[0]).not.toBe(token);
    expect(await readdir(home)).toEqual([]);

    const admin = await ctl('token', 'create', '--admin', 'alice');
    expect(admin.code).toBe(0);
    expect(admin.stdout.split('\n')[1]).toMatch(/^alice sha256:[0-9a-f]{64}$/);
    expect(admin.stderr).toContain('admin_tokens_file');
  });

  it.each([
    [['token'], 'token: the only verb is create'],
    [['token', 'make', '-w', 'w1'], 'token: the only verb is create'],
    [['token', 'create'], 'token: give -w WORKER (a worker token) or --admin NAME'],
    [['token', 'create', '-w', 'w1', '--admin', 'a'], 'token: give -w WORKER'],
    [['token', 'create', '-w', 'bad/name'], 'token: invalid worker name "bad/name"'],
    [['token', 'create', '--admin', ''], 'token: invalid admin name ""'],
  ])('%j is a usage error', async (args, message) => {
    const result = await ctl(...args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
  });

  it("its lines are what the manager reads: the worker's and the admin's tokens work", async () => {
    const worker = await ctl('token', 'create', '-w', 'w1');
    const admin = await ctl('token', 'create', '--admin', 'alice');
    const [workerToken, workerLine] = worker.stdout.split('\n');
    const [adminToken, adminLine] = admin.stdout.split('\n');
    const dir = await dirs.make('ctl-token-files-');
    await writeFile(join(dir, 'workers'), `${workerLine}\n`);
    await writeFile(join(dir, 'admins'), `${adminLine}\n`);
    const manager = await startManagerProcess({
      config:
        `[server]\nworker_tokens_file = ${JSON.stringify(join(dir, 'workers'))}\n` +
        `admin_tokens_file = ${JSON.stringify(join(dir, 'admins'))}\n`,
    });
    try {
      const register = await fetch(`${manager.url}/workers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${workerToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'w1', url: 'http://127.0.0.1:9/' }),
      });
      expect(register.status).toBe(200);
      const at = ['-m', '127.0.0.1', '-p', String(manager.port)];
      expect(await ctl('flush', ...at, '--token', workerToken as string)).toMatchObject({
        code: 1,
        stderr: expect.stringContaining('cannot DELETE /jobs/disabled') as unknown,
      });
      expect(await ctl('flush', ...at, '--token', adminToken as string)).toEqual({
        code: 0,
        stdout: 'Successfully flushed disabled jobs\n',
        stderr: '',
      });
    } finally {
      await manager.stop();
    }
  });
});

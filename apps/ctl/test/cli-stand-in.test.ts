import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TempDirs, makeTlsCertificate } from '@tunasync/test-utils';
import type { Reply, StandIn } from './helpers/fake-manager';
import { closedPort, json, startStandIn } from './helpers/fake-manager';
import { runCtl } from './helpers/run-ctl';

/*
 * The built tunasynctl against a real HTTP(S) server on 127.0.0.1 that answers the way a
 * manager answers when things go wrong (and against a closed port): what the real manager
 * cannot be made to do on purpose.
 */

const dirs = new TempDirs();
const servers: StandIn[] = [];
let home: string;

beforeEach(async () => {
  home = await dirs.make('ctl-home-');
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await dirs.cleanup();
});

async function standIn(
  route: (method: string, url: string, body: string) => Reply | undefined,
  tls?: { cert: string; key: string },
): Promise<StandIn> {
  const server = await startStandIn(route, tls);
  servers.push(server);
  return server;
}

const ctl = (args: string[], env?: Record<string, string>) => runCtl(args, { home, env });
const at = (server: { port: number }) => ['-m', '127.0.0.1', '-p', String(server.port)];

const WEB_JOB = {
  name: 'debian',
  is_master: true,
  status: 'success',
  last_update: '2026-01-02 15:04:05 +0800',
  last_update_ts: 1767337445,
  upstream: 'rsync://example.org/<debian>&/',
  size: '1.5T',
  progress: { bytes: 10 },
};

describe('tunasynctl against a manager that is down', () => {
  it.each([
    [['list', '--all'], 'cannot list the jobs of all workers'],
    [['list', 'w1'], 'cannot list the jobs of worker w1'],
    [['workers'], 'cannot list the workers'],
    [['flush'], 'cannot flush the disabled jobs'],
    [['rm-worker', '-w', 'w1'], 'cannot remove the worker w1'],
    [['set-size', '-w', 'w1', 'debian', '1G'], 'cannot set the size of debian on worker w1'],
    [['start', '-w', 'w1', 'debian'], 'cannot send start to debian on worker w1'],
    [['reload', '-w', 'w1'], 'cannot send reload to worker w1'],
  ])('%j fails with one line naming the manager, exit 1', async (args, what) => {
    const port = await closedPort();
    const result = await ctl([...args, '-m', '127.0.0.1', '-p', String(port)]);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `tunasynctl: ${what}: cannot reach the manager at http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n`,
    });
  });
});

describe('tunasynctl against a manager that answers errors', () => {
  it("prints the manager's own error text", async () => {
    const server = await standIn((method, url) => {
      if (url === '/jobs') return json(500, { error: 'store is read-only' });
      if (url === '/workers/w9/jobs') return json(400, { error: 'invalid workerID w9' });
      if (url === '/cmd') return json(400, { error: 'worker w9 is not registered yet' });
      if (url === '/workers') {
        return {
          status: 502,
          body: '<html>\n<b>Bad Gateway</b>\n</html>',
          contentType: 'text/html',
        };
      }
      return { status: 503, body: '' };
    });
    const all = await ctl(['list', '-a', ...at(server)]);
    expect(all).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'tunasynctl: cannot list the jobs of all workers: the manager answered 500: store is read-only\n',
    });
    const one = await ctl(['list', 'w9', ...at(server)]);
    expect(one.stderr).toBe(
      'tunasynctl: cannot list the jobs of worker w9: the manager answered 400: invalid workerID w9\n',
    );
    const cmd = await ctl(['stop', '-w', 'w9', 'debian', ...at(server)]);
    expect(cmd).toMatchObject({ code: 1, stdout: '' });
    expect(cmd.stderr).toBe(
      'tunasynctl: cannot send stop to debian on worker w9: the manager answered 400: worker w9 is not registered yet\n',
    );
    const workers = await ctl(['workers', ...at(server)]);
    expect(workers.stderr).toBe(
      'tunasynctl: cannot list the workers: the manager answered 502: <html> <b>Bad Gateway</b> </html>\n',
    );
    const flush = await ctl(['flush', ...at(server)]);
    expect(flush.stderr).toBe(
      'tunasynctl: cannot flush the disabled jobs: the manager answered 503\n',
    );
  });

  it('fails when a success answer is not what the command expects', async () => {
    const server = await standIn((method, url) => {
      if (url === '/jobs') return { status: 200, body: 'pong' };
      if (url === '/workers') return json(200, { workers: [] });
      if (url === '/workers/w1/jobs') return json(200, [1, 2]);
      if (url === '/workers/w1') return json(200, { message: 'gone' });
      if (url === '/workers/w1/jobs/debian/size') return json(200, { name: 'debian', size: '2G' });
      return undefined;
    });
    const notJson = await ctl(['list', '--all', ...at(server)]);
    expect(notJson).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'tunasynctl: cannot list the jobs of all workers: the manager answered 200 with a body that is not JSON: pong\n',
    });
    expect((await ctl(['workers', ...at(server)])).stderr).toBe(
      "tunasynctl: cannot list the workers: the manager's answer is not a list of objects\n",
    );
    expect((await ctl(['list', 'w1', ...at(server)])).stderr).toBe(
      "tunasynctl: cannot list the jobs of worker w1: the manager's answer is not a list of objects\n",
    );
    const removed = await ctl(['rm-worker', '-w', 'w1', ...at(server)]);
    expect(removed).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'tunasynctl: cannot remove the worker w1: the manager answered {"message":"gone"} instead of {"message":"deleted"}\n',
    });
    const size = await ctl(['set-size', '-w', 'w1', 'debian', '1G', ...at(server)]);
    expect(size).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'tunasynctl: cannot set the size of debian on worker w1: mirror size error, expecting 1G, the manager returned 2G\n',
    });
  });

  it('prints nothing on stdout when one of several workers fails', async () => {
    const server = await standIn((method, url) =>
      url === '/workers/w1/jobs'
        ? json(200, [{ name: 'a' }])
        : json(400, { error: 'invalid workerID w2' }),
    );
    const result = await ctl(['list', 'w1', 'w2', ...at(server)]);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'tunasynctl: cannot list the jobs of worker w2: the manager answered 400: invalid workerID w2\n',
    });
  });
});

describe('tunasynctl output and requests', () => {
  it('passes every field through as Go-indented JSON, extra fields included', async () => {
    const server = await standIn((method, url) =>
      url === '/jobs'
        ? json(200, [WEB_JOB, { ...WEB_JOB, name: 'ubuntu', status: 'failed' }])
        : undefined,
    );
    const result = await ctl(['list', '--all', ...at(server)]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(
      '    "upstream": "rsync://example.org/\\u003cdebian\\u003e\\u0026/",\n',
    );
    expect(result.stdout).toMatch(/^\[\n  \{\n    "name": "debian",\n    "is_master": true,\n/);
    expect(result.stdout).toMatch(/\n\]\n$/);
    expect(JSON.parse(result.stdout)).toEqual([
      WEB_JOB,
      { ...WEB_JOB, name: 'ubuntu', status: 'failed' },
    ]);
    const filtered = await ctl(['list', '-a', '-s', 'failed, paused', ...at(server)]);
    expect(JSON.parse(filtered.stdout).map((j: { name: string }) => j.name)).toEqual(['ubuntu']);
    const formatted = await ctl([
      'list',
      '-a',
      '--format',
      '{{.Name | printf "%-8s"}}{{.Status}} {{.Progress.Bytes}}',
      ...at(server),
    ]);
    expect(formatted).toEqual({
      code: 0,
      stdout: 'debian  success 10\nubuntu  failed 10\n',
      stderr: '',
    });
    const unknown = await ctl(['list', '-a', '-f', '{{.Worker}}', ...at(server)]);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toMatch(
      /^tunasynctl: invalid --format template: 1:3: can't evaluate field Worker \(fields: Name, /,
    );
  });

  it('prints an empty list as [] and sends no request for a bad --format', async () => {
    const server = await standIn((method, url) => (url === '/jobs' ? json(200, null) : undefined));
    expect((await ctl(['list', '-a', ...at(server)])).stdout).toBe('[]\n');
    expect((await ctl(['list', '-a', '-f', '{{.Name}}', ...at(server)])).stdout).toBe('');
    const bad = await ctl(['list', '-a', '-f', '{{.Name | nope}}', ...at(server)]);
    expect(bad.code).toBe(2);
    expect(server.seen.map((r) => r.url)).toEqual(['/jobs', '/jobs']);
  });

  it('sends each command as the manager expects it, with the token', async () => {
    const server = await standIn((method, url, body) => {
      if (url === '/cmd') return json(200, { message: 'successfully send command to worker w1' });
      if (url === '/jobs/disabled') return json(200, { message: 'flushed' });
      if (url === '/workers/w1') return json(200, { message: 'deleted' });
      if (url === '/workers/w1/jobs/debian/size') {
        return json(200, { name: 'debian', size: (JSON.parse(body) as { size: string }).size });
      }
      return undefined;
    });
    const token = ['--token', 's3cret'];
    const runs: [string[], string][] = [
      [['start', '-f', '-w', 'w1', 'debian', 'a, b'], 'Successfully send the command\n'],
      [['restart', '-w', 'w1', 'debian'], 'Successfully send the command\n'],
      [['reload', '-w', 'w1'], 'Successfully send the command\n'],
      [['flush'], 'Successfully flushed disabled jobs\n'],
      [['rm-worker', '-w', 'w1'], 'Successfully removed the worker\n'],
      [['set-size', '-w', 'w1', 'debian', '1.5G'], 'Successfully updated mirror size to 1.5G\n'],
    ];
    for (const [args, stdout] of runs) {
      expect(await ctl([...args, ...token, ...at(server)])).toEqual({
        code: 0,
        stdout,
        stderr: '',
      });
    }
    expect(server.seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /cmd',
      'POST /cmd',
      'POST /cmd',
      'DELETE /jobs/disabled',
      'DELETE /workers/w1',
      'POST /workers/w1/jobs/debian/size',
    ]);
    for (const request of server.seen) {
      expect(request.headers.authorization).toBe('Bearer s3cret');
    }
    const bodies = server.seen.map((r) => (r.body === '' ? undefined : JSON.parse(r.body)));
    expect(bodies).toEqual([
      {
        cmd: 'start',
        mirror_id: 'debian',
        worker_id: 'w1',
        args: ['a', 'b'],
        options: { force: true },
      },
      { cmd: 'restart', mirror_id: 'debian', worker_id: 'w1', args: [], options: {} },
      { cmd: 'reload', mirror_id: '', worker_id: 'w1', args: [], options: {} },
      undefined,
      undefined,
      { name: 'debian', size: '1.5G' },
    ]);
    expect(server.seen[0]?.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('reads manager, port and token from the user ctl.conf, and --config over it', async () => {
    const server = await standIn(() => json(200, []));
    const down = await closedPort();
    await mkdir(join(home, '.config', 'tunasync'), { recursive: true });
    await writeFile(
      join(home, '.config', 'tunasync', 'ctl.conf'),
      `manager_addr = "127.0.0.1"\nmanager_port = ${server.port}\ntoken = "from-home"\n`,
    );
    const fromHome = await ctl(['workers', '-v']);
    expect(fromHome.code).toBe(0);
    expect(fromHome.stdout).toBe('[]\n');
    expect(fromHome.stderr).toContain(
      `[INFO] Use manager address: http://127.0.0.1:${server.port}\n`,
    );
    expect(server.seen[0]?.headers.authorization).toBe('Bearer from-home');

    const other = join(home, 'other.conf');
    await writeFile(other, `manager_port = ${down}\n`);
    const fromConfig = await ctl(['workers', '-c', other]);
    expect(fromConfig.code).toBe(1);
    expect(fromConfig.stderr).toContain(`cannot reach the manager at http://127.0.0.1:${down}`);
    const flagWins = await ctl(['workers', '-c', other, '-p', String(server.port), '--debug']);
    expect(flagWins.code).toBe(0);
    expect(flagWins.stderr).toContain('[DEBUG] GET /workers → 200');

    await writeFile(other, 'manager_port = "nope"\n');
    const bad = await ctl(['workers', '-c', other]);
    expect(bad).toEqual({
      code: 2,
      stdout: '',
      stderr: `tunasynctl: ${other}: manager_port: must be an integer\n`,
    });
  });
});

describe('tunasynctl over HTTPS', () => {
  it('trusts the CA given by --ca-cert, and only that one', async () => {
    const tls = await makeTlsCertificate(await dirs.make('ctl-tls-'));
    const other = await makeTlsCertificate(await dirs.make('ctl-tls-other-'));
    const server = await standIn(
      (method, url) => (url === '/jobs' ? json(200, [WEB_JOB]) : undefined),
      { cert: tls.cert, key: tls.key },
    );
    const ok = await ctl([
      'list',
      '-a',
      '--ca-cert',
      tls.caCertFile,
      '-m',
      'localhost',
      '-p',
      String(server.port),
    ]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual([WEB_JOB]);

    const wrongCa = await ctl([
      'list',
      '-a',
      '--ca-cert',
      other.caCertFile,
      '-m',
      'localhost',
      '-p',
      String(server.port),
    ]);
    expect(wrongCa.code).toBe(1);
    expect(wrongCa.stderr).toMatch(
      new RegExp(
        `^tunasynctl: cannot list the jobs of all workers: TLS connection to the manager at https://localhost:${server.port} failed: .*\\(is ca_cert/--ca-cert the CA that signed the manager's certificate\\?\\)\\n$`,
      ),
    );
  });
});

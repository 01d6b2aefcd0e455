import { TempDirs } from '@tunasync/test-utils';
import type { Reply, StandIn } from './helpers/fake-manager';
import { closedPort, json, startStandIn } from './helpers/fake-manager';
import { runCtl } from './helpers/run-ctl';

/*
 * The built tunasynctl against a real HTTP server on 127.0.0.1 that answers the way a
 * manager answers when things go wrong (and against a closed port): what the real manager
 * cannot be made to do on purpose (5xx of its own, HTML, empty or odd 2xx bodies, extra
 * fields). Everything the real manager can do is in cli-real-manager*.test.ts.
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
): Promise<StandIn> {
  const server = await startStandIn(route);
  servers.push(server);
  return server;
}

const ctl = (args: string[]) => runCtl(args, { home });
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
    [['history', 'w1', 'debian'], 'cannot show the history of debian on worker w1'],
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
      if (url === '/workers/w1/jobs/debian/history') return json(200, { runs: [] });
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
    expect(await ctl(['history', '-w', 'w1', 'debian', ...at(server)])).toEqual({
      code: 1,
      stdout: '',
      stderr:
        "tunasynctl: cannot show the history of debian on worker w1: the manager's answer is not a list of objects\n",
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
});

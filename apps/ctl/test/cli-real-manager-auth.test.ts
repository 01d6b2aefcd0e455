import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ManagerProcess } from '@tunasync/test-utils';
import {
  makeTlsCertificate,
  startManagerProcess,
  startTlsManagerProcess,
  TempDirs,
} from '@tunasync/test-utils';
import type { StandIn } from './helpers/fake-manager';
import { json, startStandIn } from './helpers/fake-manager';
import { runCtl } from './helpers/run-ctl';
import { getJson, registerWorker, reportStatus } from './helpers/seed-manager';

/*
 * The built tunasynctl against the real manager with a token (SPEC §7.1) and over HTTPS
 * with a test CA made by openssl.
 */

const dirs = new TempDirs();
const OK = 'Successfully send the command\n';

async function writeUserConf(home: string, text: string): Promise<void> {
  await mkdir(join(home, '.config', 'tunasync'), { recursive: true });
  await writeFile(join(home, '.config', 'tunasync', 'ctl.conf'), text);
}

describe('tunasynctl with a manager that requires a token', () => {
  const TOKEN = 's3cret-token';
  let manager: ManagerProcess;
  let worker: StandIn;
  let home: string;
  const ctl = (args: string[]) =>
    runCtl([...args, '-m', '127.0.0.1', '-p', String(manager.port)], { home });
  const status = async (name: string) =>
    ((await getJson(manager.url, '/workers/w1/jobs')) as Record<string, unknown>[]).find(
      (job) => job.name === name,
    )?.status;

  beforeAll(async () => {
    home = await dirs.make('ctl-token-home-');
    [manager, worker] = await Promise.all([
      startManagerProcess({ config: `[server]\ntoken = "${TOKEN}"\n` }),
      startStandIn(() => json(200, { msg: 'OK' })),
    ]);
    await registerWorker(manager.url, 'w1', `${worker.url}/`, { token: TOKEN });
    await reportStatus(manager.url, 'w1', 'debian', { status: 'syncing' }, { token: TOKEN });
  });
  afterAll(async () => {
    await worker?.close();
    await manager?.stop();
    await dirs.cleanup();
  });

  it('reads without a token (read routes stay public)', async () => {
    const jobs = await getJson(manager.url, '/jobs');
    expect(await ctl(['list', '--all'])).toEqual({
      code: 0,
      stdout: `${JSON.stringify(jobs, null, 2)}\n`,
      stderr: '',
    });
    expect((await ctl(['workers', '-f', '{{.ID}}'])).stdout).toBe('w1\n');
  });

  it.each([
    ['without a token', []],
    ['with a wrong token', ['--token', 'not-the-token']],
  ])('refuses a command %s: 401, nothing forwarded, nothing changed', async (_, flags) => {
    const result = await ctl(['stop', '-w', 'w1', 'debian', ...flags]);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'tunasynctl: cannot send stop to debian on worker w1: the manager answered 401: missing or invalid bearer token\n',
    });
    expect(await status('debian')).toBe('syncing');
    expect(worker.seen).toEqual([]);
    expect((await ctl(['flush', ...flags])).stderr).toBe(
      'tunasynctl: cannot flush the disabled jobs: the manager answered 401: missing or invalid bearer token\n',
    );
  });

  it('sends the token of --token, or of ctl.conf, and the command goes through', async () => {
    expect(await ctl(['start', '-w', 'w1', 'debian', '--token', TOKEN])).toEqual({
      code: 0,
      stdout: OK,
      stderr: '',
    });
    // The manager forwards with its own token (the worker checks its [manager] token).
    expect(worker.seen.map((r) => r.headers.authorization)).toEqual([`Bearer ${TOKEN}`]);

    await writeUserConf(home, `token = "${TOKEN}"\n`);
    try {
      expect(await ctl(['stop', '-w', 'w1', 'debian'])).toEqual({
        code: 0,
        stdout: OK,
        stderr: '',
      });
      expect(await status('debian')).toBe('paused');
      expect(await ctl(['set-size', '-w', 'w1', 'debian', '3G'])).toEqual({
        code: 0,
        stdout: 'Successfully updated mirror size to 3G\n',
        stderr: '',
      });
      // A flag wins over the file: a wrong --token is refused.
      expect((await ctl(['flush', '--token', 'wrong'])).code).toBe(1);
    } finally {
      await writeUserConf(home, '');
    }
  });
});

describe('tunasynctl with a manager that serves HTTPS', () => {
  let manager: ManagerProcess;
  let home: string;
  let caCertFile: string;
  let otherCaFile: string;
  let jobs: unknown;

  beforeAll(async () => {
    home = await dirs.make('ctl-tls-home-');
    const [tls, other] = await Promise.all([
      makeTlsCertificate(await dirs.make('ctl-tls-')),
      makeTlsCertificate(await dirs.make('ctl-tls-other-')),
    ]);
    caCertFile = tls.caCertFile;
    otherCaFile = other.caCertFile;
    manager = await startTlsManagerProcess(tls);
    const seed = { ca: tls.caCert };
    await registerWorker(manager.url, 'w1', 'http://127.0.0.1:9/', seed);
    await reportStatus(manager.url, 'w1', 'debian', { status: 'success', size: '1T' }, seed);
    jobs = await getJson(manager.url, '/jobs', seed);
  });
  afterAll(async () => {
    await manager?.stop();
    await dirs.cleanup();
  });

  const to = (host: string) => ['-m', host, '-p', String(manager.port)];

  it('talks HTTPS trusting the --ca-cert CA, by name and by address', async () => {
    for (const host of ['localhost', '127.0.0.1']) {
      expect(await runCtl(['list', '-a', '--ca-cert', caCertFile, ...to(host)], { home })).toEqual({
        code: 0,
        stdout: `${JSON.stringify(jobs, null, 2)}\n`,
        stderr: '',
      });
    }
    expect(
      await runCtl(
        ['set-size', '-w', 'w1', 'debian', '2T', '--ca-cert', caCertFile, ...to('localhost')],
        {
          home,
        },
      ),
    ).toEqual({ code: 0, stdout: 'Successfully updated mirror size to 2T\n', stderr: '' });
  });

  it('takes ca_cert from ctl.conf', async () => {
    await writeUserConf(
      home,
      `manager_addr = "localhost"\nmanager_port = ${manager.port}\nca_cert = ${JSON.stringify(caCertFile)}\n`,
    );
    try {
      const result = await runCtl(['workers', '-f', '{{.ID}} {{.URL}}'], { home });
      expect(result).toEqual({ code: 0, stdout: 'w1 http://127.0.0.1:9/\n', stderr: '' });
    } finally {
      await writeUserConf(home, '');
    }
  });

  it('refuses a manager certificate that another CA signed', async () => {
    const result = await runCtl(['list', '-a', '--ca-cert', otherCaFile, ...to('localhost')], {
      home,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(
        `^tunasynctl: cannot list the jobs of all workers: TLS connection to the manager at https://localhost:${manager.port} failed: .*\\(is ca_cert/--ca-cert the CA that signed the manager's certificate\\?\\)\\n$`,
      ),
    );
  });

  it('fails in one line when told plain HTTP (no CA) for an HTTPS manager', async () => {
    const result = await runCtl(['list', '-a', ...to('127.0.0.1')], { home });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `tunasynctl: cannot list the jobs of all workers: cannot reach the manager at http://127.0.0.1:${manager.port}: socket hang up\n`,
    );
  });
});

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TempDirs, makeTlsCertificate } from '@tunasync/test-utils';
import { isCtlError } from '../src/errors';
import type { EndpointFlags } from '../src/load-config';
import { resolveEndpoint, userConfigFile } from '../src/load-config';
import { createStderrLogger } from '../src/stderr-logger';

const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

interface Setup {
  system?: string;
  user?: string;
  extra?: string;
}

async function resolve(setup: Setup, flags: EndpointFlags = {}) {
  const dir = await dirs.make('ctl-config-');
  const systemFile = join(dir, 'etc', 'ctl.conf');
  const home = join(dir, 'home');
  const userFile = userConfigFile(home) as string;
  await mkdir(join(dir, 'etc'));
  await mkdir(join(home, '.config', 'tunasync'), { recursive: true });
  if (setup.system !== undefined) await writeFile(systemFile, setup.system);
  if (setup.user !== undefined) await writeFile(userFile, setup.user);
  const extraFile = join(dir, 'extra.conf');
  if (setup.extra !== undefined) await writeFile(extraFile, setup.extra);
  let log = '';
  const logger = createStderrLogger({ write: (text: string) => (log += text) }, 'info');
  const withConfig = setup.extra !== undefined ? { config: extraFile, ...flags } : flags;
  const endpoint = await resolveEndpoint(withConfig, { systemFile, userFile }, logger, 1234);
  return { endpoint, log, dir, extraFile };
}

async function failure(setup: Setup, flags: EndpointFlags = {}) {
  try {
    await resolve(setup, flags);
  } catch (err) {
    if (!isCtlError(err)) throw err;
    return { code: err.code, exitCode: err.exitCode, message: err.message };
  }
  throw new Error('expected the configuration to be refused');
}

describe('ctl.conf lookup and precedence', () => {
  it('defaults to http://localhost:14242 without any file', async () => {
    const { endpoint, log } = await resolve({});
    expect(endpoint).toEqual({ baseUrl: 'http://localhost:14242', timeoutMs: 1234 });
    expect(log).toBe('[INFO] Use manager address: http://localhost:14242\n');
  });

  it('reads the system file, then the user file, then --config, key by key', async () => {
    const { endpoint, log } = await resolve({
      system: 'manager_addr = "sys.example"\nmanager_port = 1001\ntoken = "sys-token"\n',
      user: 'manager_port = 1002\n',
      extra: 'token = "extra-token"\n',
    });
    expect(endpoint).toEqual({
      baseUrl: 'http://sys.example:1002',
      token: 'extra-token',
      timeoutMs: 1234,
    });
    expect(log.match(/Loading config: .*/g)).toEqual([
      expect.stringMatching(/etc\/ctl\.conf$/),
      expect.stringMatching(/home\/\.config\/tunasync\/ctl\.conf$/),
      expect.stringMatching(/extra\.conf$/),
    ]);
  });

  it('lets the flags win over every file', async () => {
    const { endpoint } = await resolve(
      { system: 'manager_addr = "a"\nmanager_port = 1\n', user: 'token = "t1"\n' },
      { manager: '::1', port: 2, token: 't2' },
    );
    expect(endpoint).toEqual({ baseUrl: 'http://[::1]:2', token: 't2', timeoutMs: 1234 });
  });

  it('talks HTTPS when a CA certificate is configured, and reads it', async () => {
    const tls = await makeTlsCertificate(await dirs.make('ctl-ca-'));
    const fromFile = await resolve({ user: `ca_cert = "${tls.caCertFile}"\n` });
    expect(fromFile.endpoint.baseUrl).toBe('https://localhost:14242');
    expect(fromFile.endpoint.caCert).toBe(tls.caCert);
    const fromFlag = await resolve({}, { caCert: tls.caCertFile });
    expect(fromFlag.endpoint.caCert).toBe(tls.caCert);
  });

  it('warns about unknown keys and goes on', async () => {
    const { endpoint, log } = await resolve({ user: 'manager_port = 7\ncolour = "blue"\n' });
    expect(endpoint.baseUrl).toBe('http://localhost:7');
    expect(log).toMatch(/\[WARN\] .*ctl\.conf:2:colour: unknown key\n/);
  });

  it('refuses a file that is not TOML, naming file, line and column', async () => {
    const result = await failure({ user: 'manager_port = \n' });
    expect(result).toMatchObject({ code: 'TUNASYNC_E_CTL_CONFIG', exitCode: 2 });
    expect(result.message).toMatch(
      /home\/\.config\/tunasync\/ctl\.conf:1:16: TOML syntax error: a value is missing after `=`$/,
    );
  });

  it('refuses a wrong value, naming file and key', async () => {
    const result = await failure({ system: 'manager_port = "x"\n' });
    expect(result.code).toBe('TUNASYNC_E_CTL_CONFIG');
    expect(result.message).toMatch(/etc\/ctl\.conf:1:manager_port: must be an integer$/);
  });

  it('requires the --config file to exist, but not the default ones', async () => {
    const result = await failure({}, { config: '/nonexistent/ctl.conf' });
    expect(result).toEqual({
      code: 'TUNASYNC_E_CTL_CONFIG',
      exitCode: 2,
      message: 'cannot read config file /nonexistent/ctl.conf: no such file',
    });
  });

  it('reports a config path that cannot be read', async () => {
    const dir = await dirs.make('ctl-dir-');
    const result = await failure({}, { config: dir });
    expect(result.message).toMatch(/^cannot read config file .*: EISDIR/);
  });

  it('refuses a CA file that is missing or holds no certificate', async () => {
    const missing = await failure({}, { caCert: '/nonexistent/ca.pem' });
    expect(missing).toEqual({
      code: 'TUNASYNC_E_CTL_CA_CERT',
      exitCode: 2,
      message: '--ca-cert: cannot read the CA certificate /nonexistent/ca.pem: no such file',
    });
    const { dir } = await resolve({});
    const bogus = join(dir, 'bogus.pem');
    await writeFile(bogus, 'hello\n');
    const notPem = await failure({}, { caCert: bogus });
    expect(notPem.message).toBe(
      `--ca-cert: the CA certificate ${bogus} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
    );
  });

  it('refuses an address that makes no URL, naming file and key (regression, #11)', async () => {
    const fromFile = await failure({ system: 'manager_addr = ".T%ww:y"\n' });
    expect(fromFile.code).toBe('TUNASYNC_E_CTL_CONFIG');
    expect(fromFile.exitCode).toBe(2);
    expect(fromFile.message).toMatch(
      /etc\/ctl\.conf:1:manager_addr: "\.T%ww:y" is not a host name or address \(it makes the URL "http:\/\/\[\.T%ww:y\]:14242"\)$/,
    );
    const fromFlag = await failure({}, { manager: 'a b' });
    expect(fromFlag.message).toMatch(/^--manager: "a b" is not a host name or address/);
  });

  it('names the file and key that gave a CA file it cannot read (regression, #11)', async () => {
    const fromFile = await failure({ system: 'ca_cert = "/nonexistent/ca.pem"\n' });
    expect(fromFile.code).toBe('TUNASYNC_E_CTL_CA_CERT');
    expect(fromFile.message).toMatch(
      /etc\/ctl\.conf:1:ca_cert: cannot read the CA certificate \/nonexistent\/ca\.pem: no such file$/,
    );
  });

  it('has no user file without HOME', () => {
    expect(userConfigFile(undefined)).toBeUndefined();
    expect(userConfigFile('')).toBeUndefined();
    expect(userConfigFile('/home/a')).toBe('/home/a/.config/tunasync/ctl.conf');
  });
});

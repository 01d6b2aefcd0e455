import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';

/** What an npm call printed. */
export interface NpmResult {
  stdout: string;
  stderr: string;
}

export interface IsolatedNpmOptions {
  /** The only user config npm reads (`--userconfig`). */
  userconfig: string;
  /** npm's cache directory (`--cache`), so no other run's packuments are reused. */
  cache: string;
  cwd?: string;
  /** Extra environment variables (after every inherited npm and Nx setting was dropped). */
  env?: NodeJS.ProcessEnv;
  /** Kill npm after this long (120 s). */
  timeoutMs?: number;
}

/**
 * The environment of a child npm (or Nx) process: this process's environment without the
 * `npm_config_*` settings an enclosing `npm run`/`npm test` exported (they would override
 * the isolated user config, e.g. `omit-lockfile-registry-resolved` or an unknown `nodedir`)
 * and without the `NX_*` settings of an enclosing Nx task.
 */
export function isolatedEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_config_/i.test(key) || /^NX_/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** Runs a command with the isolated npm settings; rejects with its output on a failure. */
export function runIsolated(
  file: string,
  args: string[],
  options: IsolatedNpmOptions,
): Promise<NpmResult> {
  const env = isolatedEnv({
    npm_config_userconfig: options.userconfig,
    npm_config_cache: options.cache,
    ...options.env,
  });
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        cwd: options.cwd,
        env,
        timeout: options.timeoutMs ?? 120_000,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        if (err) {
          const what = `${file} ${args.join(' ')}`;
          reject(new Error(`${what} failed (${err.message.split('\n')[0]}):\n${stdout}${stderr}`));
        } else resolve({ stdout, stderr });
      },
    );
  });
}

/** `npm ARGS --userconfig … --cache …` with the inherited npm settings dropped. */
export function runNpm(args: string[], options: IsolatedNpmOptions): Promise<NpmResult> {
  return runIsolated(
    'npm',
    [...args, '--userconfig', options.userconfig, '--cache', options.cache],
    options,
  );
}

/**
 * The registry npm is configured for here (environment, user and global npm config, as an
 * operator's `npm install` would use), e.g. `https://registry.npmjs.org/`. Asked outside the
 * workspace, with the settings of an enclosing `npm run` dropped except the registry.
 */
export function configuredRegistry(): Promise<string> {
  const registry = Object.entries(process.env).filter(([key]) =>
    /^npm_config_registry$/i.test(key),
  );
  return new Promise((resolve, reject) => {
    execFile(
      'npm',
      ['config', 'get', 'registry'],
      { cwd: tmpdir(), env: isolatedEnv(Object.fromEntries(registry)), timeout: 30_000 },
      (err, stdout) => {
        if (err) reject(err);
        else resolve(stdout.trim());
      },
    );
  });
}

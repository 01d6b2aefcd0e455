import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { CommandSpec, CommandWrapper } from '../command-spec';
import { defineHook } from '../define-hook';
import { CORE_ERRORS } from '../errors';
import type { JobHook } from '../job-hook';
import { memoryLimitBytes } from '../memory-limit';
import type { Provider } from '../provider';
import { checkTool, runTool } from '../run-tool';

export interface DockerHookOptions {
  /** The mirror's `docker_image`. */
  image: string;
  /** `-v` arguments: the global `[docker] volumes` followed by the mirror's `docker_volumes`. */
  volumes?: readonly string[];
  /** Extra `docker run` options: the global `[docker] options` then the mirror's `docker_options`. */
  options?: readonly string[];
  /** The mirror's `memory_limit` (`256M`, or bytes); passed as `-m <bytes>`. */
  memoryLimit?: string | number;
  /** The mirror's `exclude_file`, mounted read-only at the same path. */
  excludeFile?: string;
  /** How long to wait for the container to be gone after a run (default 10 s). */
  removalTimeoutMs?: number;
}

/** The container name of a mirror: `tunasync-job-<name>` (`+`, not allowed by docker, becomes `_`). */
export function dockerContainerName(mirror: string): string {
  return `tunasync-job-${mirror.replace(/\+/g, '_')}`;
}

/** `KEY=value` lines of a docker `--env-file`. */
export function dockerEnvFile(env: Readonly<Record<string, string>>): string {
  return Object.entries(env)
    .map(([key, value]) => {
      if (key === '' || /[=\n\r]/.test(key) || /[\n\r]/.test(value))
        throw CORE_ERRORS.dockerEnv(key);
      return `${key}=${value}\n`;
    })
    .join('');
}

/**
 * Docker (SPEC §4.5). In pre-exec the hook puts a `CommandWrapper` into the provider's
 * context (key `commandWrapper`) that turns the provider's command into
 *
 * `docker run --rm -a STDOUT -a STDERR --name tunasync-job-<name> -w <working dir>
 *  -u <uid>:<gid> -v <volume>… --env-file <file> [-m <bytes>] <options…> <image> <command…>`
 *
 * where the volumes are the configured ones, the exclude file (`:ro`), the log dir, the
 * log file and the working dir, each mounted at its own path. The job's environment goes
 * through a private (0600) env file, never `-e K=V`, so no secret shows in the process
 * list; the file is deleted after the attempt. Terminating the run is
 * `docker stop -t 2 <name>`. In post-exec the hook waits until the container is gone and
 * removes it (`docker rm -f`) if it is still there, so the next run can reuse the name; it
 * does the same in pre-exec for a container left over by a crash.
 */
export function createDockerHook(options: DockerHookOptions): JobHook {
  const memoryBytes = memoryLimitBytes(options.memoryLimit);
  const removalTimeoutMs = options.removalTimeoutMs ?? 10_000;
  let envDir: string | undefined;
  let entered = false;

  const containerExists = async (name: string): Promise<boolean> => {
    const result = await checkTool([
      'docker',
      'ps',
      '-a',
      '--filter',
      `name=^${name}$`,
      '--format',
      '{{.Status}}',
    ]);
    return result.stdout.trim() !== '';
  };

  const removeContainer = async (name: string, waitMs: number): Promise<void> => {
    const deadline = Date.now() + waitMs;
    for (;;) {
      if (!(await containerExists(name))) return;
      if (Date.now() >= deadline) break;
      await delay(Math.min(500, Math.max(0, deadline - Date.now())));
    }
    await checkTool(['docker', 'rm', '-f', name]);
  };

  const wrapper = (provider: Provider, name: string): CommandWrapper => ({
    name: 'docker',
    wrap: async (spec: CommandSpec): Promise<CommandSpec> => {
      const dir = envDir ?? (await mkdtemp(path.join(os.tmpdir(), 'tunasync-docker-')));
      envDir = dir;
      const envFile = path.join(dir, 'env');
      await writeFile(envFile, dockerEnvFile(spec.env), { mode: 0o600 });
      const logFile = provider.logFile();
      const volumes = [
        ...(options.volumes ?? []),
        ...(options.excludeFile ? [`${options.excludeFile}:${options.excludeFile}:ro`] : []),
        `${provider.logDir}:${provider.logDir}`,
        `${logFile}:${logFile}`,
        `${provider.workingDir}:${provider.workingDir}`,
      ];
      const uid = process.getuid?.() ?? 0;
      const gid = process.getgid?.() ?? 0;
      const argv = [
        'docker',
        'run',
        '--rm',
        '-a',
        'STDOUT',
        '-a',
        'STDERR',
        '--name',
        name,
        '-w',
        spec.cwd,
        '-u',
        `${uid}:${gid}`,
        ...volumes.flatMap((v) => ['-v', v]),
        '--env-file',
        envFile,
        ...(memoryBytes !== undefined ? ['-m', String(memoryBytes)] : []),
        ...(options.options ?? []),
        options.image,
        ...spec.argv,
      ];
      return { argv, cwd: spec.cwd, env: {} };
    },
    terminate: async (): Promise<void> => {
      const result = await runTool(['docker', 'stop', '-t', '2', name]);
      if (result.code !== 0 && (await containerExists(name))) {
        throw CORE_ERRORS.toolFailed(
          ['docker', 'stop', '-t', '2', name],
          `exited with code ${result.code}`,
        );
      }
    },
  });

  return defineHook('docker', {
    'pre-exec': async ({ provider }) => {
      const name = dockerContainerName(provider.name);
      await mkdir(provider.workingDir, { recursive: true });
      if (await containerExists(name)) await checkTool(['docker', 'rm', '-f', name]);
      provider.context.enter({ commandWrapper: wrapper(provider, name) });
      entered = true;
    },
    'post-exec': async ({ provider }) => {
      if (!entered) return;
      entered = false;
      provider.context.exit();
      const dir = envDir;
      envDir = undefined;
      try {
        await removeContainer(dockerContainerName(provider.name), removalTimeoutMs);
      } finally {
        if (dir !== undefined) await rm(dir, { recursive: true, force: true });
      }
    },
  });
}

import { access, mkdir, readFile, readdir, rmdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { CommandSpec, CommandWrapper } from '../command-spec';
import { defineHook } from '../define-hook';
import { CORE_ERRORS } from '../errors';
import type { JobHook } from '../job-hook';
import { memoryLimitBytes } from '../memory-limit';

export interface CgroupHookOptions {
  /** Root of the cgroup file system (default `/sys/fs/cgroup`); a temp directory in tests. */
  basePath?: string;
  /** The group under which each job gets its own sub-group (default `tunasync`). */
  group?: string;
  /** cgroup v1 only: the hierarchy the job's processes are put in (default `cpu`). */
  subsystem?: string;
  /** The mirror's `memory_limit` (`256M`, or bytes). */
  memoryLimit?: string | number;
  /** Pauses between the rounds of killing what is left in a group (default 10 ms, 1 s, 2 s). */
  killRoundsMs?: readonly number[];
}

/**
 * The fixed script that moves the shell into the job's groups and then `exec`s the
 * provider's command. The command's words are passed as positional arguments: the shell
 * never parses them.
 */
export const CGROUP_JOIN_SCRIPT =
  'while [ "$1" != "--" ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"';

/** The cgroup directories of one job and the files that make a process join them. */
export interface CgroupLayout {
  version: 1 | 2;
  /** The job's sub-groups (one for v2; the subsystem's and, with a limit, memory's for v1). */
  groups: string[];
  /** For v2: the parent group whose `cgroup.subtree_control` must enable `memory`. */
  parent?: string;
  /** The memory-limit file and the value to write into it. */
  memory?: { file: string; bytes: number };
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}

/** Whether `basePath` is a unified (v2) hierarchy: it has a `cgroup.controllers` file. */
export function isUnifiedCgroup(basePath: string): Promise<boolean> {
  return exists(path.join(basePath, 'cgroup.controllers'));
}

/** Where a job's sub-groups live (v2 when `basePath` is unified, else v1). */
export async function cgroupLayout(
  options: CgroupHookOptions,
  jobName: string,
): Promise<CgroupLayout> {
  const base = options.basePath ?? '/sys/fs/cgroup';
  const group = (options.group ?? 'tunasync').replace(/^\/+/, '');
  const bytes = memoryLimitBytes(options.memoryLimit);
  if (await isUnifiedCgroup(base)) {
    const sub = path.join(base, group, jobName);
    return {
      version: 2,
      groups: [sub],
      parent: path.join(base, group),
      ...(bytes !== undefined ? { memory: { file: path.join(sub, 'memory.max'), bytes } } : {}),
    };
  }
  const subsystem = options.subsystem ?? 'cpu';
  const groups = [path.join(base, subsystem, group, jobName)];
  let memory: CgroupLayout['memory'];
  if (bytes !== undefined) {
    const memGroup = path.join(base, 'memory', group, jobName);
    if (subsystem !== 'memory') groups.push(memGroup);
    memory = { file: path.join(memGroup, 'memory.limit_in_bytes'), bytes };
  }
  return { version: 1, groups, ...(memory ? { memory } : {}) };
}

async function readPids(group: string): Promise<number[]> {
  let text: string;
  try {
    text = await readFile(path.join(group, 'cgroup.procs'), 'utf8');
  } catch {
    return [];
  }
  return text
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SIGKILL every process left in the groups, in rounds, until none is alive. */
async function emptyGroups(groups: readonly string[], rounds: readonly number[]): Promise<void> {
  for (let round = 0; ; round++) {
    const pids = new Set<number>();
    for (const g of groups) for (const pid of await readPids(g)) if (alive(pid)) pids.add(pid);
    if (pids.size === 0) return;
    if (round >= rounds.length) {
      throw CORE_ERRORS.cgroup(
        groups.join(', '),
        `processes ${[...pids].join(', ')} survive SIGKILL`,
      );
    }
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await delay(rounds[round] as number);
  }
}

/**
 * Remove a sub-group. On a cgroup file system `rmdir` removes a group with its interface
 * files; on a plain directory tree (a cgroup laid out in a temp dir) the files we wrote are
 * unlinked first.
 */
async function removeGroup(group: string): Promise<void> {
  try {
    await rmdir(group);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
    const entries = await readdir(group, { withFileTypes: true });
    if (entries.some((e) => e.isDirectory())) throw err;
    for (const e of entries) await unlink(path.join(group, e.name));
    await rmdir(group);
  }
}

/**
 * cgroup (SPEC §4.5). Before each attempt the job gets its own sub-group
 * `<basePath>/<group>/<name>` (cgroup v2, when `basePath` is unified) or
 * `<basePath>/<subsystem>/<group>/<name>` (+ `<basePath>/memory/<group>/<name>` with a
 * memory limit, v1), with `memory.max` (v2) or `memory.limit_in_bytes` (v1) set from
 * `memoryLimit`. A `CommandWrapper` (context key `commandWrapper`) starts the provider's
 * command through `/bin/sh -c CGROUP_JOIN_SCRIPT`, which writes its own pid into the
 * groups' `cgroup.procs` and then `exec`s the command (same pid, no shell parsing of the
 * command). After the attempt every process left in the groups is killed and the groups are
 * removed.
 */
export function createCgroupHook(options: CgroupHookOptions = {}): JobHook {
  const rounds = options.killRoundsMs ?? [10, 1000, 2000];
  const resolved: CgroupHookOptions = {
    ...options,
    memoryLimit: memoryLimitBytes(options.memoryLimit),
  };
  let layout: CgroupLayout | undefined;
  let entered = false;

  return defineHook('cgroup', {
    'pre-exec': async ({ provider }) => {
      const current = await cgroupLayout(resolved, provider.name);
      layout = current;
      try {
        if (current.version === 2 && current.memory && current.parent) {
          await mkdir(current.parent, { recursive: true });
          const controllers = await readFile(
            path.join(current.parent, 'cgroup.controllers'),
            'utf8',
          ).catch(() => '');
          if (!controllers.split(/\s+/).includes('memory')) {
            throw CORE_ERRORS.cgroup(
              current.parent,
              'the memory controller is not available; enable it in the parent group (echo +memory > cgroup.subtree_control)',
            );
          }
          await writeFile(path.join(current.parent, 'cgroup.subtree_control'), '+memory');
        }
        for (const g of current.groups) {
          await mkdir(g, { recursive: true });
          await emptyGroups([g], rounds);
        }
        if (current.memory) await writeFile(current.memory.file, String(current.memory.bytes));
      } catch (err) {
        if ((err as { code?: string }).code === CORE_ERRORS.cgroup.code) throw err;
        throw CORE_ERRORS.cgroup.withCause(err, current.groups.join(', '), (err as Error).message);
      }
      const procs = current.groups.map((g) => path.join(g, 'cgroup.procs'));
      const wrapper: CommandWrapper = {
        name: 'cgroup',
        wrap: (spec: CommandSpec): CommandSpec => ({
          argv: [
            '/bin/sh',
            '-c',
            CGROUP_JOIN_SCRIPT,
            'tunasync-cgroup',
            ...procs,
            '--',
            ...spec.argv,
          ],
          cwd: spec.cwd,
          env: spec.env,
        }),
      };
      provider.context.enter({ commandWrapper: wrapper });
      entered = true;
    },
    'post-exec': async ({ provider }) => {
      if (entered) provider.context.exit();
      entered = false;
      const current = layout;
      layout = undefined;
      if (!current) return;
      try {
        await emptyGroups(current.groups, rounds);
        for (const g of current.groups) await removeGroup(g);
      } catch (err) {
        if ((err as { code?: string }).code === CORE_ERRORS.cgroup.code) throw err;
        throw CORE_ERRORS.cgroup.withCause(err, current.groups.join(', '), (err as Error).message);
      }
    },
  });
}

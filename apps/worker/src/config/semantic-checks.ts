import { access } from 'node:fs/promises';
import path from 'node:path';
import { nameProblem, STAGE1_PROFILES } from '@tunasync/api-types';
import { cronProblem, parseMemoryLimit, splitCommandLine } from '@tunasync/core';
import { goRegexpProblem, logDirTemplateProblem } from '@tunasync/providers';
import type { MirrorLeaf } from './mirror-tree';

/** A problem or warning before its file is prefixed: `path` is `mirrors[3].upstream`. */
export interface Finding {
  file: string;
  path: string;
  reason: string;
}

async function fileExists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** Why a command line cannot be run (unbalanced quotes, empty), or undefined. */
export function commandLineProblem(line: string): string | undefined {
  try {
    if (splitCommandLine(line).length === 0) return 'must not be an empty command';
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Context the mirror checks need from the rest of the file. */
export interface MirrorCheckContext {
  mainFile: string;
  /** Directory relative paths are read from. */
  cwd: string;
  globalLogDir?: string;
  globalMirrorDir?: string;
  btrfsEnabled: boolean;
  btrfsGlobalPath?: string;
}

/**
 * The semantic checks the schema cannot express, on every leaf mirror: unique valid
 * names, rsync upstreams ending in `/`, a known `stage1_profile` for two-stage-rsync, a
 * parseable `memory_limit`, valid regular expressions, `cron` xor `interval`, files that
 * must exist. Each finding names the table that set the offending key.
 */
export async function checkMirrors(
  leaves: readonly { leaf: MirrorLeaf; file: string }[],
  ctx: MirrorCheckContext,
): Promise<{ problems: Finding[]; warnings: Finding[] }> {
  const problems: Finding[] = [];
  const warnings: Finding[] = [];
  const seen = new Map<string, string>();
  const missing = {
    log_dir: [] as string[],
    mirror_dir: [] as string[],
    snapshot_path: [] as string[],
  };

  for (const { leaf, file } of leaves) {
    const v = leaf.values;
    const at = (key: string): string => `${leaf.keyOrigins[key] ?? leaf.path}.${key}`;
    const problem = (key: string, reason: string) => problems.push({ file, path: at(key), reason });
    const warn = (key: string, reason: string) => warnings.push({ file, path: at(key), reason });

    const name = v.name;
    if (name === undefined) {
      problems.push({ file, path: `${leaf.path}.name`, reason: 'is required' });
    } else {
      const why = nameProblem(name);
      if (why) problem('name', `name ${why}`);
      else {
        const first = seen.get(name as string);
        if (first !== undefined)
          problem('name', `duplicate mirror name "${String(name)}" (first defined at ${first})`);
        else seen.set(name as string, `${file}:${leaf.path}`);
      }
    }

    const provider = v.provider;
    if (provider === undefined)
      problems.push({ file, path: `${leaf.path}.provider`, reason: 'is required' });
    const isRsync = provider === 'rsync' || provider === 'two-stage-rsync';
    const upstream = str(v.upstream);
    if (isRsync) {
      if (upstream === undefined || upstream === '') {
        problems.push({
          file,
          path: at('upstream'),
          reason: `is required for provider ${String(provider)}`,
        });
      } else if (!upstream.endsWith('/')) {
        problem('upstream', `rsync upstream must end with "/" (got ${JSON.stringify(upstream)})`);
      }
    }
    if (provider === 'command' && !str(v.command)) {
      problems.push({ file, path: at('command'), reason: 'is required for provider command' });
    }
    if (provider === 'two-stage-rsync') {
      const profile = v.stage1_profile;
      if (profile === undefined || profile === '') {
        problems.push({
          file,
          path: at('stage1_profile'),
          reason: `is required for provider two-stage-rsync (one of ${STAGE1_PROFILES.join(', ')})`,
        });
      }
      // An unknown profile is reported by the schema (enum).
    }
    if (v.rsync_override_only === true && !Array.isArray(v.rsync_override)) {
      problem('rsync_override_only', 'requires rsync_override');
    }
    if (provider === 'command' && v.rsync_success_exit_codes !== undefined) {
      warn('rsync_success_exit_codes', 'ignored for provider command');
    }

    const memory = v.memory_limit;
    if (typeof memory === 'string') {
      try {
        parseMemoryLimit(memory);
      } catch {
        problem(
          'memory_limit',
          `cannot read memory size ${JSON.stringify(memory)} (use e.g. 256M or 1G)`,
        );
      }
    }

    const commandLines: [string, unknown][] = [['command', v.command]];
    for (const key of [
      'exec_on_success',
      'exec_on_failure',
      'exec_on_success_extra',
      'exec_on_failure_extra',
    ]) {
      if (Array.isArray(v[key]))
        for (const line of v[key] as unknown[]) commandLines.push([key, line]);
    }
    for (const [key, line] of commandLines) {
      if (typeof line !== 'string') continue;
      const why = commandLineProblem(line);
      if (why) problem(key, why);
    }

    for (const key of ['fail_on_match', 'size_pattern']) {
      const source = str(v[key]);
      if (source === undefined) continue;
      const why = goRegexpProblem(source, key === 'size_pattern');
      if (why) problem(key, why);
    }

    if (
      v.cron !== undefined &&
      v.interval !== undefined &&
      leaf.keyOrigins.cron === leaf.keyOrigins.interval
    ) {
      problem('cron', 'set either cron or interval, not both');
    }
    const cron = str(v.cron);
    if (cron !== undefined) {
      const why = cronProblem(cron);
      if (why) problem('cron', `invalid cron expression: ${why}`);
    }

    const logDir = str(v.log_dir) || ctx.globalLogDir;
    if (!logDir) missing.log_dir.push(String(name));
    else {
      const why = logDirTemplateProblem(logDir);
      if (why) {
        if (str(v.log_dir)) problem('log_dir', why);
        else problems.push({ file: ctx.mainFile, path: 'global.log_dir', reason: why });
      }
    }
    if (!str(v.mirror_dir) && !ctx.globalMirrorDir) missing.mirror_dir.push(String(name));
    if (ctx.btrfsEnabled && !str(v.snapshot_path) && !ctx.btrfsGlobalPath) {
      missing.snapshot_path.push(String(name));
    }

    const exclude = str(v.exclude_file);
    if (
      exclude !== undefined &&
      exclude !== '' &&
      !(await fileExists(path.resolve(ctx.cwd, exclude)))
    ) {
      problem('exclude_file', `file ${JSON.stringify(exclude)} does not exist`);
    }
  }
  const list = (names: string[]) =>
    names.length > 6
      ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`
      : names.join(', ');
  if (missing.log_dir.length > 0) {
    problems.push({
      file: ctx.mainFile,
      path: 'global.log_dir',
      reason: `is required: mirror(s) ${list(missing.log_dir)} set no log_dir`,
    });
  }
  if (missing.mirror_dir.length > 0) {
    problems.push({
      file: ctx.mainFile,
      path: 'global.mirror_dir',
      reason: `is required: mirror(s) ${list(missing.mirror_dir)} set no mirror_dir`,
    });
  }
  if (missing.snapshot_path.length > 0) {
    problems.push({
      file: ctx.mainFile,
      path: 'btrfs_snapshot.snapshot_path',
      reason: `is required when [btrfs_snapshot] is enabled: mirror(s) ${list(missing.snapshot_path)} set no snapshot_path`,
    });
  }
  return { problems, warnings };
}

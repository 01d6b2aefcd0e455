import path from 'node:path';
import { nameProblem } from '@tunasync/api-types';
import { cronProblem } from '@tunasync/core';
import type { MirrorLeaf } from './mirror-tree';
import { pathExists } from './path-exists';

/** A problem or warning before its file is prefixed: `path` is `mirrors[3].upstream`. */
export interface Finding {
  file: string;
  path: string;
  reason: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * The mirror checks that need the file rather than one mirror (everything about one
 * mirror is the providers' `checkMirrorConfig`, see `checkProviders`): unique names
 * across the file and its includes, `cron` and `interval` not set in the same table, a
 * `cron` that core's `cronTrigger` accepts, an `exclude_file` that exists (relative to
 * `cwd`). Each finding names the table that set the offending key.
 */
export async function checkMirrors(
  leaves: readonly { leaf: MirrorLeaf; file: string }[],
  cwd: string,
  place: (file: string, path: string) => string,
): Promise<Finding[]> {
  const problems: Finding[] = [];
  const seen = new Map<string, string>();

  for (const { leaf, file } of leaves) {
    const v = leaf.values;
    const at = (key: string): string => `${leaf.keyOrigins[key] ?? leaf.path}.${key}`;
    const problem = (key: string, reason: string) => problems.push({ file, path: at(key), reason });

    const name = v.name;
    if (typeof name === 'string' && nameProblem(name) === undefined) {
      const first = seen.get(name);
      if (first !== undefined)
        problem('name', `duplicate mirror name "${name}" (first defined at ${first})`);
      else seen.set(name, place(file, leaf.path));
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

    const exclude = str(v.exclude_file);
    if (
      exclude !== undefined &&
      exclude !== '' &&
      !(await pathExists(path.resolve(cwd, exclude)))
    ) {
      problem('exclude_file', `file ${JSON.stringify(exclude)} does not exist`);
    }
  }
  return problems;
}

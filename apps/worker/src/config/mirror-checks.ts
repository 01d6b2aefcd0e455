import path from 'node:path';
import { nameProblem, type MirrorConfigFile } from '@tunasync/api-types';
import { cronProblem } from '@tunasync/core';
import { checkMirrorConfig, type ProviderGlobalConfig } from '@tunasync/providers';
import type { MirrorLeaf } from './mirror-tree';
import { pathExists } from './path-exists';

/** The sections of worker.conf a provider is built from besides its mirror. */
const SECTIONS = ['global', 'cgroup', 'zfs', 'btrfs_snapshot', 'docker'] as const;

type Doc = Record<string, unknown>;

/** `file:line:path` of a key path of one of the files read (`ConfigLocator.place`). */
export type PlaceOf = (file: string, path: string) => string;

function isTable(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** `a, b, c` or `a, b, c, d, e and 7 more`. */
export function nameList(names: readonly string[]): string {
  return names.length > 6
    ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`
    : names.join(', ');
}

/**
 * The places (`file:path`) the schema refused. A key refused there is reported by the
 * schema alone: the providers' check never sees its value, and finds nothing more there.
 */
export class SchemaRefusals {
  private readonly places: readonly string[];

  /** `problems` are the schema's `file:path: reason` lines. */
  constructor(problems: readonly string[]) {
    this.places = problems.map((p) => p.slice(0, p.indexOf(': ')));
  }

  /** Whether the schema refused `place` or something inside it (`place[1]`, `place.x`). */
  has(place: string): boolean {
    return this.places.some(
      (p) => p === place || p.startsWith(`${place}[`) || p.startsWith(`${place}.`),
    );
  }
}

/** `table` without the keys the schema refused at `${where}.<key>`. */
function withoutRefused(table: Doc, where: string, refused: SchemaRefusals): Doc {
  return Object.fromEntries(
    Object.entries(table).filter(([key]) => !refused.has(`${where}.${key}`)),
  );
}

export interface MirrorChecksInput {
  /** Every leaf of `[[mirrors]]` of the file and its includes, with the file it is in. */
  leaves: readonly { leaf: MirrorLeaf; file: string }[];
  /** The main file's document (its sections are the providers' global config). */
  doc: Doc;
  mainFile: string;
  /** What the schema refused (reported there, not again here). */
  refused: SchemaRefusals;
  place: PlaceOf;
  /** Where relative paths (`exclude_file`) are read from. */
  cwd: string;
}

/**
 * The one layer of mirror checks after the schema, in one pass over the leaves: what needs
 * the whole file (unique names across the file and its includes, `cron` and `interval` not
 * set in the same table), a `cron` that core's `cronTrigger` accepts, an `exclude_file` that
 * exists, and everything about one mirror through the providers' `checkMirrorConfig` (the
 * rules of the provider that will run it). A problem of a mirror key names the table that
 * set the key (`file:line:mirrors[debian].upstream: reason`); a problem found through
 * several mirrors — of a shared section (`global.log_dir`, `zfs.zpool`, …, on the main file)
 * or of a key a template sets — is reported once, naming the mirrors it was found through
 * (`…; mirror(s) a, b`).
 */
export async function checkMirrors(
  input: MirrorChecksInput,
): Promise<{ problems: string[]; warnings: string[] }> {
  const { leaves, doc, mainFile, refused, place, cwd } = input;
  const config: Record<string, Doc> = {};
  for (const section of SECTIONS) {
    const table = doc[section];
    config[section] = isTable(table)
      ? withoutRefused(table, `${mainFile}:${section}`, refused)
      : {};
  }
  const problems: string[] = [];
  const warnings: string[] = [];
  const shared = new Map<string, string[]>();
  const seen = new Map<string, string>();

  /** Each problem once; found through mirrors (a shared section, a template), it names them. */
  const report = (line: string, mirror: string | undefined) => {
    if (mirror === undefined) problems.push(line);
    else shared.set(line, [...(shared.get(line) ?? []), mirror]);
  };

  for (const { leaf, file } of leaves) {
    const v = leaf.values;
    const name = v.name;
    const label = typeof name === 'string' ? name : '<unnamed>';
    const origin = (key: string): string => leaf.keyOrigins[key] ?? leaf.path;
    const at = (key: string): string => `${origin(key)}.${key}`;
    const problem = (key: string, reason: string) =>
      report(`${place(file, at(key))}: ${reason}`, origin(key) === leaf.path ? undefined : label);

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
    const why = cron === undefined ? undefined : cronProblem(cron);
    if (why) problem('cron', `invalid cron expression: ${why}`);
    const exclude = str(v.exclude_file);
    if (exclude && !(await pathExists(path.resolve(cwd, exclude)))) {
      problem('exclude_file', `file ${JSON.stringify(exclude)} does not exist`);
    }

    const mirror = Object.fromEntries(
      Object.entries(v).filter(([key]) => !refused.has(`${file}:${at(key)}`)),
    ) as MirrorConfigFile;
    const check = checkMirrorConfig(mirror, config as ProviderGlobalConfig);
    for (const p of check.problems) {
      const section = (SECTIONS as readonly string[]).includes(p.key.split('.')[0] as string);
      const base = p.key.replace(/[[.].*$/, '');
      const [where, key] = section ? [mainFile, p.key] : [file, `${origin(base)}.${p.key}`];
      if (refused.has(`${where}:${key}`)) continue;
      const own = !section && origin(base) === leaf.path;
      report(`${place(where, key)}: ${p.reason}`, own ? undefined : label);
    }
    // The place names a mirror with a valid name: the providers' `mirror <name>: ` would
    // say it twice.
    const named = typeof name === 'string' && nameProblem(name) === undefined;
    const prefix = `mirror ${label}: `;
    const own = (w: string) => (named && w.startsWith(prefix) ? w.slice(prefix.length) : w);
    warnings.push(...check.warnings.map((w) => `${place(file, leaf.path)}: ${own(w)}`));
  }
  for (const [line, mirrors] of shared) problems.push(`${line}; mirror(s) ${nameList(mirrors)}`);
  return { problems, warnings };
}

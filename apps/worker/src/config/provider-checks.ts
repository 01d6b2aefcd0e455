import { checkMirrorConfig, type ProviderGlobalConfig } from '@tunasync/providers';
import type { MirrorConfigFile } from '@tunasync/api-types';
import type { MirrorLeaf } from './mirror-tree';

/** The sections of worker.conf a provider is built from besides its mirror. */
const SECTIONS = ['global', 'cgroup', 'zfs', 'btrfs_snapshot', 'docker'] as const;

type Doc = Record<string, unknown>;

function isTable(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

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

/**
 * Every mirror through the providers' `checkMirrorConfig`, the one place of the
 * mirror-level checks. A problem of a mirror key names the table that set the key
 * (`file:mirrors[2].mirrors[0].upstream: reason`); a problem of a shared section
 * (`global.log_dir`, `zfs.zpool`, …) is reported once on the main file, naming the mirrors
 * it was found through.
 */
export function checkProviders(
  leaves: readonly { leaf: MirrorLeaf; file: string }[],
  doc: Doc,
  mainFile: string,
  refused: SchemaRefusals,
  place: (file: string, path: string) => string,
): { problems: string[]; warnings: string[] } {
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
  for (const { leaf, file } of leaves) {
    const mirror = Object.fromEntries(
      Object.entries(leaf.values).filter(
        ([key]) => !refused.has(`${file}:${leaf.keyOrigins[key] ?? leaf.path}.${key}`),
      ),
    ) as MirrorConfigFile;
    const label = typeof leaf.values.name === 'string' ? leaf.values.name : '<unnamed>';
    const check = checkMirrorConfig(mirror, config as ProviderGlobalConfig);
    for (const p of check.problems) {
      const section = (SECTIONS as readonly string[]).includes(p.key.split('.')[0] as string);
      const base = p.key.replace(/[[.].*$/, '');
      const [at, key] = section
        ? [mainFile, p.key]
        : [file, `${leaf.keyOrigins[base] ?? leaf.path}.${p.key}`];
      if (refused.has(`${at}:${key}`)) continue;
      if (!section) problems.push(`${place(at, key)}: ${p.reason}`);
      else {
        const line = `${place(at, key)}: ${p.reason}`;
        shared.set(line, [...(shared.get(line) ?? []), label]);
      }
    }
    warnings.push(...check.warnings.map((w) => `${place(file, leaf.path)}: ${w}`));
  }
  for (const [line, mirrors] of shared) problems.push(`${line}; mirror(s) ${nameList(mirrors)}`);
  return { problems, warnings };
}

import type { MirrorConfig, WorkerConfig } from '../config/worker-config';

/** What a reload changes (SPEC §4.6), mirrors compared by name. */
export interface MirrorDiff {
  added: MirrorConfig[];
  removed: MirrorConfig[];
  changed: MirrorConfig[];
  unchanged: MirrorConfig[];
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
  );
}

/**
 * Everything a mirror's job is built from: its own keys and the sections of worker.conf
 * the provider and hooks read. `concurrent` is left out (it is applied to the gate without
 * touching any job), and `progress_interval` (applied to the progress ticks at once); so are
 * `[manager]` and `[server]` (they need a restart).
 */
export function jobFingerprint(mirror: MirrorConfig, config: WorkerConfig): string {
  const {
    concurrent: _concurrent,
    progress_interval: _progressInterval,
    ...global
  } = config.global;
  return JSON.stringify(
    canonical({
      mirror,
      global,
      cgroup: config.cgroup,
      zfs: config.zfs,
      btrfs_snapshot: config.btrfs_snapshot,
      docker: config.docker,
    }),
  );
}

/** Compares two configurations mirror by mirror. */
export function diffMirrors(before: WorkerConfig, after: WorkerConfig): MirrorDiff {
  const old = new Map(before.mirrors.map((m) => [m.name, m]));
  const next = new Set(after.mirrors.map((m) => m.name));
  const diff: MirrorDiff = { added: [], removed: [], changed: [], unchanged: [] };
  for (const mirror of after.mirrors) {
    const previous = old.get(mirror.name);
    if (!previous) diff.added.push(mirror);
    else if (jobFingerprint(previous, before) !== jobFingerprint(mirror, after)) {
      diff.changed.push(mirror);
    } else diff.unchanged.push(mirror);
  }
  for (const mirror of before.mirrors) if (!next.has(mirror.name)) diff.removed.push(mirror);
  return diff;
}

import type { Stage1Profile } from '@tunasync/api-types';

/** The default rsync options (SPEC §4.4.1). */
export const RSYNC_DEFAULT_OPTIONS: readonly string[] = Object.freeze([
  '-aHvh',
  '--no-o',
  '--no-g',
  '--stats',
  '--filter',
  'risk .~tmp~/',
  '--exclude',
  '.~tmp~/',
  '--delete',
  '--delete-after',
  '--delay-updates',
  '--safe-links',
]);

/** Stage 1 of two-stage-rsync: no deletion, no delayed updates (SPEC §4.4.2). */
export const TWO_STAGE_STAGE1_OPTIONS: readonly string[] = Object.freeze([
  '-aHvh',
  '--no-o',
  '--no-g',
  '--stats',
  '--filter',
  'risk .~tmp~/',
  '--exclude',
  '.~tmp~/',
  '--safe-links',
]);

/** Stage 2 of two-stage-rsync: the same as the rsync defaults. */
export const TWO_STAGE_STAGE2_OPTIONS: readonly string[] = RSYNC_DEFAULT_OPTIONS;

/** The stage-1 filters of each `stage1_profile` (after Debian's ftpsync). */
export const STAGE1_PROFILE_OPTIONS: Readonly<Record<Stage1Profile, readonly string[]>> =
  Object.freeze({
    debian: Object.freeze([
      '--include=*.diff/',
      '--include=by-hash/',
      '--exclude=*.diff/Index',
      '--exclude=Contents*',
      '--exclude=Packages*',
      '--exclude=Sources*',
      '--exclude=Release*',
      '--exclude=InRelease',
      '--exclude=i18n/*',
      '--exclude=dep11/*',
      '--exclude=installer-*/current',
      '--exclude=ls-lR*',
    ]),
    'debian-oldstyle': Object.freeze([
      '--exclude=Packages*',
      '--exclude=Sources*',
      '--exclude=Release*',
      '--exclude=InRelease',
      '--exclude=i18n/*',
      '--exclude=ls-lR*',
      '--exclude=dep11/*',
    ]),
  });

/** Options both providers append: timeout, address family, exclude file. */
export interface RsyncCommonOptions {
  /** `rsync_no_timeout`: no `--timeout`. */
  rsyncNoTimeout?: boolean;
  /** `rsync_timeout` in seconds; 0 or unset means 120. */
  rsyncTimeout?: number;
  useIPv6?: boolean;
  useIPv4?: boolean;
  excludeFile?: string;
}

/** What decides the options of an `rsync` mirror (SPEC §4.4.1). */
export interface RsyncArgsConfig extends RsyncCommonOptions {
  /** The mirror's `rsync_options`. */
  rsyncOptions?: readonly string[];
  /** The global `rsync_options`. */
  globalRsyncOptions?: readonly string[];
  /** `rsync_override`: replaces the default options. */
  rsyncOverride?: readonly string[];
  /** `rsync_override_only`: nothing is appended to `rsync_override`. */
  rsyncOverrideOnly?: boolean;
}

function commonTail(config: RsyncCommonOptions): string[] {
  const out: string[] = [];
  if (config.rsyncNoTimeout !== true) {
    const timeout =
      config.rsyncTimeout !== undefined && config.rsyncTimeout > 0 ? config.rsyncTimeout : 120;
    out.push(`--timeout=${timeout}`);
  }
  if (config.useIPv6 === true) out.push('-6');
  else if (config.useIPv4 === true) out.push('-4');
  if (config.excludeFile) out.push('--exclude-from', config.excludeFile);
  return out;
}

/**
 * The options of an `rsync` run, before upstream and working dir: the defaults (or
 * `rsync_override`), then unless `rsync_override_only`: `--timeout`, `-6`/`-4`,
 * `--exclude-from`, the global then the mirror's `rsync_options`.
 */
export function buildRsyncOptions(config: RsyncArgsConfig): string[] {
  const base = [...(config.rsyncOverride ?? RSYNC_DEFAULT_OPTIONS)];
  if (config.rsyncOverrideOnly === true && config.rsyncOverride !== undefined) return base;
  return [
    ...base,
    ...commonTail(config),
    ...(config.globalRsyncOptions ?? []),
    ...(config.rsyncOptions ?? []),
  ];
}

/** What decides the options of a `two-stage-rsync` mirror (SPEC §4.4.2). */
export interface TwoStageArgsConfig extends RsyncCommonOptions {
  stage1Profile: Stage1Profile;
  /** The mirror's `rsync_options` (stage 2 only). */
  rsyncOptions?: readonly string[];
  /** `max_delete`: stage 2 gets `--max-delete=<n>`. */
  maxDelete?: number;
  /** `delete_delay`: stage 2 uses `--delete-delay` instead of `--delete-after`. */
  deleteDelay?: boolean;
}

/** The options of one stage of a `two-stage-rsync` run, before upstream and working dir. */
export function buildTwoStageOptions(config: TwoStageArgsConfig, stage: 1 | 2): string[] {
  const head =
    stage === 1
      ? [...TWO_STAGE_STAGE1_OPTIONS, ...STAGE1_PROFILE_OPTIONS[config.stage1Profile]]
      : [
          ...TWO_STAGE_STAGE2_OPTIONS.map((o) =>
            o === '--delete-after' && config.deleteDelay === true ? '--delete-delay' : o,
          ),
          ...(config.maxDelete !== undefined ? [`--max-delete=${config.maxDelete}`] : []),
          ...(config.rsyncOptions ?? []),
        ];
  return [...head, ...commonTail(config)];
}

import { finishedRun, isZeroTime, parseRfc3339OrZero } from '@tunasync/api-types';
import type { MirrorStatus, RunResult, SyncStatus } from '@tunasync/api-types';
import type { JobsSnapshot } from './jobs-snapshot';
import type { MirrorProgress } from './mirror-progress';
import { runDurationSeconds } from './run-duration';
import { sizeBytes } from './human-size';
import { KeyedBytes } from './keyed-bytes';

/** The Content-Type of `GET /metrics`: Prometheus text exposition format 0.0.4. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A label value as the exposition format wants it: `\`, `"` and newline escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** A sample value: integers as they are, others in the shortest exact decimal form. */
export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function labels(pairs: Array<[string, string]>): string {
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

/** The labels of a mirror's series, `{worker="…",mirror="…"}`. */
function mirrorLabels(s: MirrorStatus): string {
  return labels([
    ['worker', s.worker],
    ['mirror', s.name],
  ]);
}

function header(name: string, type: 'gauge' | 'counter', help: string): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
}

/** Unix milliseconds of an RFC 3339 time; undefined for the zero time (or no time). */
function unixMs(text: string): number | undefined {
  const date = parseRfc3339OrZero(text);
  return isZeroTime(date) ? undefined : date.getTime();
}

/** Unix seconds, milliseconds as decimals (`1767323045.123`). */
function seconds(ms: number): string {
  return formatSampleValue(ms / 1000);
}

/** The mirror families, in the order of the exposition. */
const MIRROR_FAMILIES: Array<[name: string, type: 'gauge' | 'counter', help: string]> = [
  [
    'tunasync_mirror_status',
    'gauge',
    'Current sync status of a mirror: 1 on the series labelled with that status.',
  ],
  ['tunasync_mirror_up', 'gauge', 'Whether the mirror status is success (1) or not (0).'],
  [
    'tunasync_mirror_last_success_timestamp_seconds',
    'gauge',
    'Unix time of the end of the last successful sync; absent when there was none.',
  ],
  [
    'tunasync_mirror_last_duration_seconds',
    'gauge',
    'Duration of the last finished sync (last_ended - last_started); absent while a sync runs.',
  ],
  [
    'tunasync_mirror_size_bytes',
    'gauge',
    'Size of the mirror in bytes, as last reported; absent when unknown.',
  ],
  [
    'tunasync_mirror_progress_files',
    'gauge',
    'Regular files transferred so far by the running sync; only while syncing with progress.',
  ],
  [
    'tunasync_mirror_progress_bytes',
    'gauge',
    'Bytes of the files transferred so far by the running sync; only while syncing with progress.',
  ],
  [
    'tunasync_mirror_runs_total',
    'counter',
    'Finished syncs reported to this manager since it started, by result.',
  ],
];

/** What a mirror's kept lines were rendered from (the status object: a change replaces it). */
interface RenderedFrom {
  status: MirrorStatus;
  progress: MirrorProgress | undefined;
  success: number;
  failed: number;
  /** The mirror's labels, `{worker="…",mirror="…"}` (for the stale family too). */
  label: string;
}

/** What a mirror's `tunasync_mirror_stale` line shows, and of which status object. */
interface StaleShown {
  status: MirrorStatus;
  stale: boolean;
}

function keyOf(workerId: string, mirror: string): string {
  return JSON.stringify([workerId, mirror]);
}

export interface ManagerMetricsOptions {
  snapshot: JobsSnapshot;
  /** The manager's clock (the worker online rule). */
  clock: () => Date;
  /** As `worker_offline_after`, in milliseconds (0: never offline). */
  offlineAfterMs: number;
}

/**
 * `GET /metrics` (SPEC §7.5): the Prometheus text exposition of the `/jobs` snapshot and of
 * the runs reported since this manager started. The mirror families are rendered once per
 * change of the snapshot or of a run counter; the (few) worker lines on every request.
 */
export class ManagerMetrics {
  private readonly runs = new Map<string, Record<RunResult, number>>();
  private runsGeneration = 0;
  /**
   * The mirror families' lines as bytes, a column per family, and the key they were built
   * for: a change renders its own mirror's lines again, not every mirror's.
   */
  private readonly mirrorLinesBytes = new KeyedBytes(MIRROR_FAMILIES.length);
  private mirrorColumns: { key: string; columns: readonly Buffer[] } | undefined;
  private renderedFrom = new Map<string, RenderedFrom>();
  private mirrorRenders = 0;
  /** The stale family and until when it holds (the next time a mirror turns stale). */
  private stale: { key: string; until: number; parts: Buffer[] } | undefined;
  /** The stale family's line of each mirror, and what each line shows. */
  private readonly staleLines = new KeyedBytes(1);
  private staleShown = new Map<string, StaleShown>();

  constructor(private readonly options: ManagerMetricsOptions) {}

  /** How many times the mirror families were rendered (not answered from the cache). */
  get renders(): number {
    return this.mirrorRenders;
  }

  /**
   * Counts a finished run by the rule of `finishedRun` (the one the run history uses too):
   * the stored status of a report is `success` or `failed` and the status stored before it
   * was another one (a repeated terminal report, e.g. one delivered twice, is not a second run).
   */
  recordReport(previous: SyncStatus | undefined, stored: MirrorStatus): void {
    const result = finishedRun(previous, stored.status);
    if (result === undefined) return;
    const key = keyOf(stored.worker, stored.name);
    const counts = this.runs.get(key) ?? { success: 0, failed: 0 };
    counts[result] += 1;
    this.runs.set(key, counts);
    this.runsGeneration += 1;
  }

  /** Runs of one mirror counted since start. */
  runsOf(workerId: string, mirror: string): Record<RunResult, number> {
    const counts = this.runs.get(keyOf(workerId, mirror));
    return { success: counts?.success ?? 0, failed: counts?.failed ?? 0 };
  }

  /** The whole exposition text. */
  text(): string {
    return this.body().toString('utf8');
  }

  /**
   * The UTF-8 bytes of the whole exposition, then `extra` (other components' lines). The
   * mirror and stale families are kept as bytes, encoded once per change, not per request.
   */
  body(extra = ''): Buffer {
    return Buffer.concat(this.bodyParts(extra));
  }

  /**
   * The bytes of `body(extra)` in parts (the kept families are not copied into one Buffer:
   * a route writes them one after another).
   */
  bodyParts(extra = ''): Buffer[] {
    const { clock, offlineAfterMs } = this.options;
    const now = clock();
    return [
      ...this.mirrorsBody(),
      Buffer.from(this.renderWorkers(now, offlineAfterMs), 'utf8'),
      ...this.staleBody(now),
      Buffer.from(extra, 'utf8'),
    ];
  }

  /** The mirror families: each one's header, then its column of lines. */
  private mirrorsBody(): Buffer[] {
    const key = `${this.options.snapshot.etag()}|${this.runsGeneration}`;
    if (this.mirrorColumns?.key !== key) {
      this.mirrorColumns = { key, columns: this.renderMirrors() };
      this.mirrorRenders += 1;
    }
    const { columns } = this.mirrorColumns;
    return MIRROR_FAMILIES.flatMap(([name, type, help], family) => [
      Buffer.from(header(name, type, help), 'utf8'),
      columns[family] as Buffer,
    ]);
  }

  /**
   * `tunasync_mirror_stale` (§7.13): 1 for a stale mirror, 0 for one that is not, by
   * `isStaleMirror`. It changes with time as well as with the statuses: the text is kept
   * until a status changes or the next mirror's limit passes.
   */
  private staleBody(now: Date): Buffer[] {
    const { snapshot } = this.options;
    const key = `${snapshot.statusEtag()}|${snapshot.scheduleKey}`;
    const t = now.getTime();
    if (this.stale !== undefined && this.stale.key === key && t <= this.stale.until) {
      return this.stale.parts;
    }
    this.stale = undefined;
    const until = snapshot.nextStaleChange(now);
    const keys = snapshot.orderedKeys();
    const statuses = snapshot.ordered();
    const shown = new Map<string, StaleShown>();
    keys.forEach((k, i) => {
      const s = statuses[i] as MirrorStatus;
      const stale = snapshot.isStale(s, now);
      const before = this.staleShown.get(k);
      if (before?.status !== s || before.stale !== stale) this.staleLines.invalidate(k);
      shown.set(k, before?.status === s && before.stale === stale ? before : { status: s, stale });
    });
    this.staleShown = shown;
    const [lines] = this.staleLines.build(keys, (k) => {
      const { status: s, stale } = shown.get(k) as StaleShown;
      const from = this.renderedFrom.get(k);
      const same = from?.status.worker === s.worker && from.status.name === s.name;
      const l = same ? from.label : mirrorLabels(s);
      return [`tunasync_mirror_stale${l} ${stale ? 1 : 0}\n`];
    });
    const parts = [
      Buffer.from(
        header(
          'tunasync_mirror_stale',
          'gauge',
          'Whether the last success of the mirror is older than stale_after (1) or not (0).',
        ),
        'utf8',
      ),
      lines as Buffer,
    ];
    this.stale = { key, until, parts };
    return parts;
  }

  /** The lines of one mirror, one string per family of `MIRROR_FAMILIES` (maybe empty). */
  private mirrorLines(s: MirrorStatus, progress: MirrorProgress | undefined): string[] {
    const id: Array<[string, string]> = [
      ['worker', s.worker],
      ['mirror', s.name],
    ];
    const l = labels(id);
    const updated = unixMs(s.last_update);
    const lastDuration = runDurationSeconds(s.last_started, s.last_ended);
    const bytes = sizeBytes(s.size);
    const counts = this.runsOf(s.worker, s.name);
    return [
      `tunasync_mirror_status${labels([...id, ['status', s.status]])} 1\n`,
      `tunasync_mirror_up${l} ${s.status === 'success' ? 1 : 0}\n`,
      updated === undefined
        ? ''
        : `tunasync_mirror_last_success_timestamp_seconds${l} ${seconds(updated)}\n`,
      lastDuration === undefined
        ? ''
        : `tunasync_mirror_last_duration_seconds${l} ${formatSampleValue(lastDuration)}\n`,
      bytes >= 0 ? `tunasync_mirror_size_bytes${l} ${Math.round(bytes)}\n` : '',
      progress === undefined ? '' : `tunasync_mirror_progress_files${l} ${progress.files}\n`,
      progress === undefined ? '' : `tunasync_mirror_progress_bytes${l} ${progress.bytes}\n`,
      (['success', 'failed'] as const)
        .map(
          (result) =>
            `tunasync_mirror_runs_total${labels([...id, ['result', result]])} ${counts[result]}\n`,
        )
        .join(''),
    ];
  }

  private renderMirrors(): readonly Buffer[] {
    const { snapshot } = this.options;
    const keys = snapshot.orderedKeys();
    const statuses = snapshot.ordered();
    const before = this.renderedFrom;
    const after = new Map<string, RenderedFrom>();
    keys.forEach((key, i) => {
      const s = statuses[i] as MirrorStatus;
      const progress = snapshot.progressOf(s);
      const counts = this.runs.size === 0 ? undefined : this.runs.get(keyOf(s.worker, s.name));
      const from = before.get(key);
      const kept =
        from !== undefined &&
        from.status === s &&
        from.progress === progress &&
        from.success === (counts?.success ?? 0) &&
        from.failed === (counts?.failed ?? 0);
      if (!kept) this.mirrorLinesBytes.invalidate(key);
      after.set(
        key,
        kept
          ? from
          : {
              status: s,
              progress,
              success: counts?.success ?? 0,
              failed: counts?.failed ?? 0,
              label: mirrorLabels(s),
            },
      );
    });
    this.renderedFrom = after;
    return this.mirrorLinesBytes.build(keys, (key) => {
      const from = after.get(key) as RenderedFrom;
      return this.mirrorLines(from.status, from.progress);
    });
  }

  private renderWorkers(now: Date, offlineAfterMs: number): string {
    const { snapshot } = this.options;
    const workers = snapshot.workerList();
    const lastSeen: string[] = [];
    const online: string[] = [];
    for (const w of workers) {
      const l = labels([['worker', w.id]]);
      const seen = unixMs(w.last_online);
      if (seen !== undefined) {
        lastSeen.push(`tunasync_worker_last_seen_timestamp_seconds${l} ${seconds(seen)}\n`);
      }
      online.push(
        `tunasync_worker_online${l} ${snapshot.isOnline(w.id, now, offlineAfterMs) ? 1 : 0}\n`,
      );
    }
    return [
      header('tunasync_workers', 'gauge', 'Registered workers.'),
      `tunasync_workers ${workers.length}\n`,
      header(
        'tunasync_worker_last_seen_timestamp_seconds',
        'gauge',
        'Unix time the manager last heard from the worker.',
      ),
      ...lastSeen,
      header(
        'tunasync_worker_online',
        'gauge',
        'Whether the worker was heard from within worker_offline_after (1) or not (0).',
      ),
      ...online,
    ].join('');
  }
}

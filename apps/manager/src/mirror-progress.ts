import { formatRfc3339, formatWebTime, toUnixSeconds } from '@tunasync/api-types';
import type { Rfc3339 } from '@tunasync/api-types';

/**
 * The latest live progress a worker posted for a syncing mirror (SPEC §7.9), kept in the
 * manager's memory only: `updated` is the manager's clock when it arrived.
 */
export interface MirrorProgress {
  files: number;
  bytes: number;
  updated: Date;
}

/** The extra fields of a `GET /workers/:id/jobs` item while its mirror syncs with progress. */
export interface MirrorProgressFields {
  progress_files: number;
  progress_bytes: number;
  /** RFC 3339, like the item's other times. */
  progress_updated: Rfc3339;
}

/** The extra fields of a `GET /jobs` item while its mirror syncs with progress. */
export interface WebMirrorProgressFields {
  progress_files: number;
  progress_bytes: number;
  /** `YYYY-MM-DD HH:MM:SS ±hhmm`, like the item's other times. */
  progress_updated: string;
  progress_updated_ts: number;
}

/** Progress as the fields of a `/workers/:id/jobs` item (time as RFC 3339). */
export function progressFields(progress: MirrorProgress): MirrorProgressFields {
  return {
    progress_files: progress.files,
    progress_bytes: progress.bytes,
    progress_updated: formatRfc3339(progress.updated),
  };
}

/** Progress as the fields of a `/jobs` item (time as text and Unix seconds). */
export function webProgressFields(progress: MirrorProgress): WebMirrorProgressFields {
  return {
    progress_files: progress.files,
    progress_bytes: progress.bytes,
    progress_updated: formatWebTime(progress.updated),
    progress_updated_ts: toUnixSeconds(progress.updated),
  };
}

import type { MirrorJob } from '@tunasync/core';
import type { MirrorConfig } from '../config/worker-config';

/** One mirror's job in the running worker. */
export interface JobEntry {
  readonly mirror: MirrorConfig;
  readonly job: MirrorJob;
  /** Events of this job are not reported (it is being replaced or dropped by a reload). */
  quiet: boolean;
  /** Stops listening to the job's events. */
  readonly detach: () => void;
}

/** The states a job is created in. */
export type InitialJobState = 'none' | 'paused' | 'disabled';

import type { JobStatusEvent, MirrorJob } from '../../src';

/** Collects a job's status events; `next(status)` waits for the next one of that status. */
export class EventLog {
  readonly events: JobStatusEvent[] = [];
  private waiters: { status: string; resolve: (e: JobStatusEvent) => void }[] = [];

  constructor(job: MirrorJob) {
    job.on('status', (e) => {
      this.events.push(e);
      const i = this.waiters.findIndex((w) => w.status === e.status);
      if (i >= 0) this.waiters.splice(i, 1)[0]?.resolve(e);
    });
  }

  /** Statuses so far, with the failure message when there is one. */
  get statuses(): string[] {
    return this.events.map((e) => (e.message ? `${e.status}: ${e.message}` : e.status));
  }

  /** The next event of this status (or the latest one already seen after `from`). */
  next(status: string, from = 0): Promise<JobStatusEvent> {
    const seen = this.events.slice(from).find((e) => e.status === status);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ status, resolve }));
  }
}

/** Let pending promise callbacks run. */
export async function flush(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

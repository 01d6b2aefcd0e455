import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { waitUntil } from '@tunasync/test-utils';

/** One mirror in the worker's `<state dir>/jobs.json` (the worker's own view). */
export interface WorkerJobState {
  status: string;
  error_msg: string;
  size?: string;
  last_success?: string;
  changed_at?: string;
}

/** The worker's local state file: every mirror's last status and when it saw it. */
export async function readWorkerJobs(stateDir: string): Promise<Record<string, WorkerJobState>> {
  const text = await readFile(path.join(stateDir, 'jobs.json'), 'utf8');
  return (JSON.parse(text) as { mirrors: Record<string, WorkerJobState> }).mirrors;
}

/**
 * Bytes of status reports still waiting in the worker's outboxes (`queue.jsonl` of every
 * manager; the file is truncated once everything in it was acknowledged): 0 = all delivered.
 */
export async function queuedReportBytes(stateDir: string): Promise<number> {
  const root = path.join(stateDir, 'outbox');
  let total = 0;
  for (const name of await readdir(root).catch(() => [] as string[])) {
    total += await stat(path.join(root, name, 'queue.jsonl')).then(
      (s) => s.size,
      () => 0,
    );
  }
  return total;
}

/** Polls (every 20 ms) until the worker's outboxes are empty; resolves with that moment. */
export function waitForDelivery(stateDir: string, timeoutMs = 20_000): Promise<number> {
  return waitUntil(
    'every queued report delivered',
    async () => ((await queuedReportBytes(stateDir)) === 0 ? Date.now() : undefined),
    timeoutMs,
    20,
  );
}

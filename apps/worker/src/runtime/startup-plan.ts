import {
  parseRfc3339OrZero,
  isZeroTime,
  type MirrorStatus,
  type SyncStatus,
} from '@tunasync/api-types';
import { meaningfulSize, type MirrorRecord } from './mirror-record';

/** Where a mirror's starting status came from. */
export type StatusSource = 'outbox' | 'manager' | 'local' | 'new';

/** How one mirror starts (SPEC §4.2.3). */
export interface StartupDecision {
  name: string;
  /** The job's first state: only `none` jobs are scheduled. */
  state: 'none' | 'paused' | 'disabled';
  /** The status the worker starts from. */
  status: SyncStatus | undefined;
  source: StatusSource;
  /** It was syncing when the previous life ended: report `failed`, run it now. */
  interrupted: boolean;
  /** End of its last successful sync, when known (schedule: this + interval). */
  lastUpdate: Date | undefined;
  size: string | undefined;
}

export interface StartupInput {
  /** The mirrors of the configuration, in order. */
  names: readonly string[];
  /** What the first manager keeps for this worker; undefined when it could not be asked. */
  managerStatuses: readonly MirrorStatus[] | undefined;
  /** The newest report per mirror still waiting in the first manager's outbox. */
  pending: ReadonlyMap<string, MirrorStatus>;
  /** The local state file. */
  local: ReadonlyMap<string, MirrorRecord>;
}

function later(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a.getTime() >= b.getTime() ? a : b;
}

function date(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const d = parseRfc3339OrZero(text);
  return Number.isNaN(d.getTime()) || isZeroTime(d) ? undefined : d;
}

/**
 * Decides how every mirror starts. The newest knowledge wins: a report still waiting in
 * the outbox (the manager will have it soon), else the manager's stored status, else the
 * local state file. `disabled`/`paused` stay so; `syncing`/`pre-syncing` were interrupted;
 * anything else is scheduled at `last_update + interval` by the caller.
 */
export function planStartup(input: StartupInput): StartupDecision[] {
  const fromManager = new Map((input.managerStatuses ?? []).map((s) => [s.name, s]));
  return input.names.map((name) => {
    const pending = input.pending.get(name);
    const stored = fromManager.get(name);
    const local = input.local.get(name);
    let source: StatusSource = 'new';
    let status: SyncStatus | undefined;
    if (pending) {
      source = 'outbox';
      status = pending.status;
    } else if (stored) {
      source = 'manager';
      status = stored.status;
    } else if (local) {
      source = 'local';
      status = local.status;
    }
    const lastUpdate = later(date(stored?.last_update), date(local?.last_success));
    const size =
      meaningfulSize(pending?.size) ?? meaningfulSize(stored?.size) ?? meaningfulSize(local?.size);
    const interrupted = status === 'syncing' || status === 'pre-syncing';
    const state = status === 'disabled' ? 'disabled' : status === 'paused' ? 'paused' : 'none';
    return { name, state, status, source, interrupted, lastUpdate, size };
  });
}

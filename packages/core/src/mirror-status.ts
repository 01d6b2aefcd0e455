import {
  ZERO_TIME_RFC3339,
  withoutUrlPassword,
  type MirrorStatus,
  type SyncStatus,
} from '@tunasync/api-types';
import type { Provider } from './provider';

/**
 * The MirrorStatus of a report (SPEC §4.2.4). The time-stamps are the manager's to set
 * (from its own clock, SPEC §3), so the worker sends the zero time rather than a guess of
 * its own; `size` is the last known size or `unknown`; `upstream` has no URL password.
 */
export function buildMirrorStatus(
  workerId: string,
  provider: Pick<Provider, 'name' | 'upstream' | 'isMaster'>,
  status: SyncStatus,
  size: string | undefined,
  errorMsg: string,
): MirrorStatus {
  return {
    name: provider.name,
    worker: workerId,
    is_master: provider.isMaster,
    status,
    last_update: ZERO_TIME_RFC3339,
    last_started: ZERO_TIME_RFC3339,
    last_ended: ZERO_TIME_RFC3339,
    next_schedule: ZERO_TIME_RFC3339,
    // The manager publishes it (/jobs): never a password of the URL.
    upstream: withoutUrlPassword(provider.upstream),
    size: size ?? 'unknown',
    error_msg: errorMsg,
  };
}

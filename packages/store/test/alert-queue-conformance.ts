import type { AlertRecord, Store } from '../src/index';
import type { StoreHarness } from './store-conformance';

export function alertRecord(id: string, extra: Partial<AlertRecord> = {}): AlertRecord {
  return {
    id,
    rule: 'ops',
    event: 'failed',
    created: '2026-01-02T15:04:05Z',
    payload: JSON.stringify({ version: 1, event: 'failed', id }),
    state: 'pending',
    attempts: 0,
    next_attempt_ms: 0,
    claimed_by: '',
    claimed_until_ms: 0,
    last_error: '',
    settled: '',
    ...extra,
  };
}

/** The AlertQueue part of the Store conformance suite (`describeStoreConformance`). */
export function describeAlertQueueConformance(
  harness: () => StoreHarness,
  current: () => Store,
  replace: (store: Store) => void,
): void {
  describe('alert queue', () => {
    test('add is once per id; list is oldest first; survives a reopen', async () => {
      const store = current();
      expect(await store.listAlerts()).toEqual([]);
      expect(await store.addAlert(alertRecord('b', { created: '2026-01-02T15:00:00Z' }))).toBe(
        true,
      );
      expect(await store.addAlert(alertRecord('a/x y', { created: '2026-01-02T16:00:00Z' }))).toBe(
        true,
      );
      expect(await store.addAlert(alertRecord('b', { rule: 'other' }))).toBe(false);
      const reopened = await harness().reopen(store);
      replace(reopened);
      const listed = await reopened.listAlerts();
      expect(listed.map((a) => [a.id, a.rule])).toEqual([
        ['b', 'ops'],
        ['a/x y', 'ops'],
      ]);
      expect(listed[1]).toEqual(alertRecord('a/x y', { created: '2026-01-02T16:00:00Z' }));
    });

    test('a claim is exclusive until its lease ends, and only when the alert is due', async () => {
      const store = current();
      await store.addAlert(alertRecord('a', { next_attempt_ms: 1000 }));
      expect(
        await store.claimAlert('a', { owner: 'm1', nowMs: 999, leaseMs: 100 }),
      ).toBeUndefined();
      const claimed = await store.claimAlert('a', { owner: 'm1', nowMs: 1000, leaseMs: 100 });
      expect(claimed).toMatchObject({ claimed_by: 'm1', claimed_until_ms: 1100 });
      expect(
        await store.claimAlert('a', { owner: 'm2', nowMs: 1099, leaseMs: 100 }),
      ).toBeUndefined();
      // A claim whose holder died (its lease ran out) is taken over.
      expect(await store.claimAlert('a', { owner: 'm2', nowMs: 1100, leaseMs: 100 })).toMatchObject(
        { claimed_by: 'm2' },
      );
      expect(
        await store.claimAlert('missing', { owner: 'm1', nowMs: 0, leaseMs: 1 }),
      ).toBeUndefined();
    });

    test('of many concurrent claims exactly one wins', async () => {
      const store = current();
      await store.addAlert(alertRecord('a'));
      const claims = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.claimAlert('a', { owner: `m${i}`, nowMs: 5, leaseMs: 1000 }),
        ),
      );
      expect(claims.filter((c) => c !== undefined)).toHaveLength(1);
    });

    test('settle needs the claim; a sent alert is never claimed again; delete', async () => {
      const store = current();
      await store.addAlert(alertRecord('a'));
      const outcome = {
        state: 'sent' as const,
        attempts: 1,
        next_attempt_ms: 0,
        last_error: '',
        settled: '2026-01-02T15:05:00Z',
      };
      expect(await store.settleAlert('a', 'm1', outcome)).toBe(false);
      await store.claimAlert('a', { owner: 'm1', nowMs: 0, leaseMs: 1000 });
      expect(await store.settleAlert('a', 'm2', outcome)).toBe(false);
      expect(
        await store.settleAlert('a', 'm1', {
          ...outcome,
          state: 'pending',
          next_attempt_ms: 50,
          last_error: 'HTTP 500',
        }),
      ).toBe(true);
      expect((await store.listAlerts())[0]).toMatchObject({
        state: 'pending',
        attempts: 1,
        claimed_by: '',
        last_error: 'HTTP 500',
      });
      await store.claimAlert('a', { owner: 'm2', nowMs: 50, leaseMs: 1000 });
      expect(await store.settleAlert('a', 'm2', { ...outcome, attempts: 2 })).toBe(true);
      expect(await store.claimAlert('a', { owner: 'm3', nowMs: 1e13, leaseMs: 1 })).toBeUndefined();
      expect((await store.listAlerts())[0]).toMatchObject({ state: 'sent', attempts: 2 });
      await store.addAlert(alertRecord('b'));
      expect(await store.deleteAlerts(['a', 'nope'])).toBe(1);
      expect((await store.listAlerts()).map((a) => a.id)).toEqual(['b']);
    });
  });
}

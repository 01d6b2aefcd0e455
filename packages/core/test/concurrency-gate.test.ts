import { ConcurrencyGate } from '../src';
import { flush } from './helpers/events';

describe('ConcurrencyGate', () => {
  it('lets in at most `concurrent`, first come first served', async () => {
    const gate = new ConcurrencyGate(2);
    const order: number[] = [];
    const slots = [0, 1, 2, 3].map((i) => gate.acquire().then((s) => (order.push(i), s)));
    await flush();
    expect(order).toEqual([0, 1]);
    expect(gate.active).toBe(2);
    expect(gate.waiting).toBe(2);
    (await slots[1]!).release();
    await flush();
    expect(order).toEqual([0, 1, 2]);
    (await slots[0]!).release();
    (await slots[0]!).release(); // idempotent
    await flush();
    expect(order).toEqual([0, 1, 2, 3]);
    expect(gate.active).toBe(2);
    (await slots[2]!).release();
    (await slots[3]!).release();
    expect(gate.active).toBe(0);
  });

  it('a forced request bypasses the limit and does not take a slot', async () => {
    const gate = new ConcurrencyGate(1);
    const a = await gate.acquire();
    const forced = await gate.acquire({ force: true });
    expect(forced.forced).toBe(true);
    expect(gate.active).toBe(1);
    expect(gate.forced).toBe(1);
    forced.release();
    forced.release();
    a.release();
    expect(gate.forced).toBe(0);
    expect(gate.active).toBe(0);
  });

  it('a waiting request can be forced through or aborted', async () => {
    const gate = new ConcurrencyGate(1);
    const held = await gate.acquire();
    const r1 = gate.request();
    const ac = new AbortController();
    const r2 = gate.request({ signal: ac.signal });
    expect(gate.waiting).toBe(2);
    r1.force();
    const s1 = await r1.slot;
    expect(s1.forced).toBe(true);
    ac.abort(new Error('stopped'));
    await expect(r2.slot).rejects.toThrow('stopped');
    expect(gate.waiting).toBe(0);
    r1.force(); // no effect once granted
    s1.release();
    held.release();
    expect(gate.active + gate.forced).toBe(0);
  });

  it('an already aborted signal rejects at once', async () => {
    const gate = new ConcurrencyGate(1);
    const ac = new AbortController();
    ac.abort(new Error('gone'));
    await expect(gate.acquire({ signal: ac.signal })).rejects.toThrow('gone');
    expect(gate.waiting).toBe(0);
  });

  it('setLimit lets waiters in when it grows', async () => {
    const gate = new ConcurrencyGate(1);
    await gate.acquire();
    const waiting = gate.acquire();
    gate.setLimit(2);
    await expect(waiting).resolves.toMatchObject({ forced: false });
    expect(gate.limit).toBe(2);
    expect(() => gate.setLimit(0)).toThrow(
      expect.objectContaining({ code: 'TUNASYNC_E_CONCURRENCY' }),
    );
    expect(() => new ConcurrencyGate(1.5)).toThrow(
      expect.objectContaining({ code: 'TUNASYNC_E_CONCURRENCY' }),
    );
  });
});

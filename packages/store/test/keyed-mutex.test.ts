import { KeyedMutex } from '../src/index';

describe('KeyedMutex', () => {
  test('serializes work per key, in call order, and forgets drained keys', async () => {
    const mutex = new KeyedMutex();
    const order: string[] = [];
    let releaseFirst: () => void = () => undefined;
    const first = mutex.run('a', async () => {
      order.push('a1 start');
      await new Promise<void>((resolve) => (releaseFirst = resolve));
      order.push('a1 end');
    });
    const second = mutex.run('a', async () => {
      order.push('a2');
    });
    const other = mutex.run('b', async () => {
      order.push('b1');
    });
    await other;
    await new Promise((resolve) => setImmediate(resolve));
    expect(mutex.size).toBe(1);
    releaseFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(mutex.size).toBe(0);
  });

  test('a failing task does not block the next one on the same key', async () => {
    const mutex = new KeyedMutex();
    await expect(mutex.run('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(mutex.run('k', () => Promise.resolve(7))).resolves.toBe(7);
  });
});

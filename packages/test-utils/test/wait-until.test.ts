import { waitUntil } from '../src';

describe('waitUntil', () => {
  it('resolves with the first value that is neither undefined nor false', async () => {
    let calls = 0;
    const value = await waitUntil(
      'the third call',
      () => (++calls === 3 ? 'ready' : false),
      5000,
      1,
    );
    expect(value).toBe('ready');
    expect(calls).toBe(3);
  });

  it('counts a throwing check as "not yet" and names what it waited for', async () => {
    await expect(
      waitUntil(
        'the moon',
        () => {
          throw new Error('not up');
        },
        30,
        5,
      ),
    ).rejects.toThrow('timed out after 30 ms waiting for the moon (last error: not up)');
  });
});

import { STORE_ERROR_CODES, parseRedisAddress } from '../src/index';

describe('parseRedisAddress', () => {
  test("the Go manager's redis:// form, with defaults", () => {
    expect(parseRedisAddress('redis://127.0.0.1:6379/0')).toEqual({
      redacted: 'redis://127.0.0.1:6379/0',
      options: { host: '127.0.0.1', port: 6379, db: 0 },
    });
    expect(parseRedisAddress('redis://redis.example.org').options).toEqual({
      host: 'redis.example.org',
      port: 6379,
      db: 0,
    });
    expect(parseRedisAddress('redis://[::1]:7000/3').options).toEqual({
      host: '::1',
      port: 7000,
      db: 3,
    });
  });

  test('user and password are decoded, and redacted in the text for messages', () => {
    const a = parseRedisAddress('redis://tuna:p%40ss@h:1/2');
    expect(a.options).toMatchObject({
      username: 'tuna',
      password: 'p@ss',
      host: 'h',
      port: 1,
      db: 2,
    });
    expect(a.redacted).toBe('redis://tuna:***@h:1/2');
    const b = parseRedisAddress('redis://:secret@h/0');
    expect(b.options).toMatchObject({ password: 'secret' });
    expect(b.options.username).toBeUndefined();
    expect(b.redacted).toBe('redis://:***@h/0');
  });

  test('rediss:// is TLS', () => {
    expect(parseRedisAddress('rediss://h:6380/0').options).toEqual({
      host: 'h',
      port: 6380,
      db: 0,
      tls: {},
    });
  });

  test('redis+sentinel:// names the Sentinels and the master', () => {
    const a = parseRedisAddress('redis+sentinel://:pw@s1:26379,s2,[::1]:26380/mymaster/4');
    expect(a.options).toEqual({
      password: 'pw',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      name: 'mymaster',
      db: 4,
    });
    expect(a.redacted).toBe('redis+sentinel://:***@s1:26379,s2,[::1]:26380/mymaster/4');
    expect(parseRedisAddress('rediss+sentinel://s1/m').options).toMatchObject({
      tls: {},
      enableTLSForSentinelMode: true,
      name: 'm',
      db: 0,
    });
  });

  test.each([
    ['http://h:1/0', /scheme "http:"/],
    ['redis://h:0/0', /port 0 is not 1 to 65535/],
    ['redis://h:99999/0', /port 99999/],
    ['redis://h:1/x', /database "x" is not a number/],
    ['redis://h:1/0/1', /path "\/0\/1" is not \/<db>/],
    ['redis:///0', /no host/],
    ['redis+sentinel://s1', /no master name/],
    ['redis+sentinel:///m', /no Sentinel host/],
    ['redis://u:%zz@h/0', /percent-encoding/],
    ['/var/lib/tunasync', /expected redis:\/\//],
  ])('%s is refused with a reason', (url, reason) => {
    let err: unknown;
    try {
      parseRedisAddress(url);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: STORE_ERROR_CODES.badUrl });
    expect((err as Error).message).toMatch(reason);
  });

  test('a refused address never shows its password', () => {
    for (const url of [
      'redis://u:topsecret@h:0/0',
      'redis://u:topsecret@h/x',
      'bad://u:topsecret@h',
    ]) {
      expect(() => parseRedisAddress(url)).toThrow(/\*\*\*/);
      expect(() => parseRedisAddress(url)).not.toThrow(/topsecret/);
    }
  });
});

import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { MissingToolError } from '../src/require-tool';
import type { RedisServer } from '../src/redis-server';
import { startRedisServer } from '../src/redis-server';

let server: RedisServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** Sends commands over one connection; resolves with the raw RESP reply text. */
function send(port: number, commands: string[][]): Promise<string> {
  const wire = commands
    .map(
      (args) =>
        `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`,
    )
    .join('');
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    socket.on('connect', () => socket.end(`${wire}*1\r\n$4\r\nQUIT\r\n`));
    socket.on('data', (c: Buffer) => (data += c.toString()));
    socket.on('close', () => resolve(data));
    socket.on('error', reject);
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startRedisServer', () => {
  it('serves on 127.0.0.1 from its temp dir with no persistence, and stops completely', async () => {
    server = await startRedisServer();
    const { port, dir, pid } = server;
    expect(server.url()).toBe(`redis://127.0.0.1:${port}/0`);
    expect(server.url(3)).toBe(`redis://127.0.0.1:${port}/3`);
    const reply = await send(port, [
      ['SET', 'k', 'v'],
      ['GET', 'k'],
      ['CONFIG', 'GET', 'dir'],
      ['CONFIG', 'GET', 'save'],
      ['CONFIG', 'GET', 'appendonly'],
      ['CONFIG', 'GET', 'bind'],
      ['INFO', 'server'],
    ]);
    expect(reply).toContain('+OK\r\n$1\r\nv\r\n');
    expect(reply).toContain(`$3\r\ndir\r\n$${dir.length}\r\n${dir}\r\n`);
    expect(reply).toContain('$4\r\nsave\r\n$0\r\n\r\n');
    expect(reply).toContain('$10\r\nappendonly\r\n$2\r\nno\r\n');
    expect(reply).toContain('$4\r\nbind\r\n$9\r\n127.0.0.1\r\n');
    expect(reply).toMatch(/config_file:\r\n/);

    const stopping = server.stop();
    expect(server.stop()).toBe(stopping);
    await stopping;
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    server = undefined;
  });

  it('with appendfsync always, a kill -9 loses no acknowledged write', async () => {
    server = await startRedisServer({ appendOnly: 'always' });
    const writes = Array.from({ length: 50 }, (_, i) => ['HSET', 'h', `f${i}`, `v${i}`]);
    expect(await send(server.port, writes)).toBe(`${':1\r\n'.repeat(50)}+OK\r\n`);
    const before = server.pid;
    await server.kill9();
    expect(isAlive(before)).toBe(false);
    await server.restart();
    expect(server.pid).not.toBe(before);
    expect(await send(server.port, [['HLEN', 'h']])).toBe(':50\r\n+OK\r\n');
  });

  it('without persistence a restart starts empty', async () => {
    server = await startRedisServer();
    await send(server.port, [['SET', 'k', 'v']]);
    await server.restart();
    expect(await send(server.port, [['EXISTS', 'k']])).toBe(':0\r\n+OK\r\n');
  });

  it('a password is required when set, and is in the url', async () => {
    server = await startRedisServer({ password: 'p@ss word' });
    expect(server.url()).toBe(`redis://:p%40ss%20word@127.0.0.1:${server.port}/0`);
    expect(await send(server.port, [['PING']])).toMatch(/^-NOAUTH/);
    expect(await send(server.port, [['AUTH', 'p@ss word'], ['PING']])).toBe(
      '+OK\r\n+PONG\r\n+OK\r\n',
    );
  });

  it('a missing redis-server fails with the command that installs it', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const err: unknown = await startRedisServer().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MissingToolError);
      expect((err as Error).message).toMatch(/"redis-server".*apt-get install -y redis-server/);
    } finally {
      process.env.PATH = path;
    }
  });
});

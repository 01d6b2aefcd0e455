// The manager's log lines never carry its shared token (api-types' createLineLogger with the
// manager's secrets), whatever writes it: here a request line of `--debug`, whose URL holds it.
import { EventEmitter } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { REDACTED } from '@tunasync/api-types';
import { TempDirs } from '@tunasync/test-utils';
import { runCli } from '../src/cli';
import { call, capture } from './helpers';

const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

test('the shared token is scrubbed from every log line, REDACTED in its place', async () => {
  const token = 'tok-5f2a-s3cret';
  const dir = await dirs.make('tunasync-log-secrets-');
  const file = join(dir, 'manager.conf');
  await writeFile(file, `[server]\ntoken = "${token}"\n`);
  const log = new PassThrough();
  let logged = '';
  log.on('data', (chunk: Buffer) => (logged += chunk.toString()));
  const signals = new EventEmitter();
  const c = capture();
  const done = runCli(
    ['--config', file, '--addr', '127.0.0.1', '--port', '0', '--db-file', join(dir, 'db')].concat([
      '--debug',
      '--with-systemd',
    ]),
    { ...c.io, log, signals },
  );
  while (!/listening on (\S+)/.test(logged)) await new Promise((r) => setTimeout(r, 10));
  const url = (/listening on (\S+)/.exec(logged) as RegExpExecArray)[1] as string;
  expect((await call(`${url}/ping?probe=${token}`, 'GET')).status).toBe(200);
  while (!/GET \/ping/.test(logged)) await new Promise((r) => setTimeout(r, 10));
  signals.emit('SIGTERM');
  expect(await done).toBe(0);
  expect(logged).toMatch(new RegExp(`^\\[DEBUG\\] GET /ping\\?probe=${REDACTED} 200 `, 'm'));
  expect(logged).not.toContain(token);
});

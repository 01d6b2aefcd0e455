import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { TempDirs, makeTlsCertificate } from '@tunasync/test-utils';
import {
  EmailSink,
  ExecSink,
  SIGNATURE_HEADER,
  WebhookSink,
  isAlertError,
  renderWebhookTemplate,
  verifyWebhookSignature,
} from '../src/index';
import type { AlertPayload } from '../src/index';
import { startReceiver as receiver } from './receiver';
import type { Received } from './receiver';

const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

const payload: AlertPayload = {
  version: 1,
  id: 'ops|failed/["w1","debian"]/2026-01-02T15:04:05Z',
  rule: 'ops',
  kind: 'event',
  summary: '[debian] @<w1> failed (2 in a row): rsync exited with 23',
  events: [
    {
      id: 'failed/["w1","debian"]/2026-01-02T15:04:05Z',
      event: 'failed',
      time: '2026-01-02T15:04:05Z',
      worker: 'w1',
      mirror: 'debian',
      status: 'failed',
      error: 'rsync exited with 23 "quoted"',
      consecutive_failures: 2,
    },
  ],
};

describe('webhook sink', () => {
  test('POSTs the versioned JSON payload with an HMAC-SHA256 signature the receiver verifies', async () => {
    const r = await receiver();
    try {
      await new WebhookSink({
        kind: 'webhook',
        url: r.url,
        secret: 's3cret',
        timeoutMs: 5000,
      }).deliver(payload);
      expect(r.received).toHaveLength(1);
      const [got] = r.received as [Received];
      expect(JSON.parse(got.body)).toEqual(payload);
      expect(got.headers['content-type']).toBe('application/json');
      const signature = got.headers[SIGNATURE_HEADER.toLowerCase()] as string;
      expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(verifyWebhookSignature('s3cret', got.body, signature)).toBe(true);
      expect(verifyWebhookSignature('other', got.body, signature)).toBe(false);
      expect(verifyWebhookSignature('s3cret', `${got.body} `, signature)).toBe(false);
    } finally {
      await r.close();
    }
  });

  test('without a secret there is no signature header; a template shapes the body', async () => {
    const r = await receiver();
    try {
      const template = '{"text": "{{summary}}", "mirror": "{{mirror}}", "error": "{{error}}"}';
      await new WebhookSink({ kind: 'webhook', url: r.url, timeoutMs: 5000, template }).deliver(
        payload,
      );
      const [got] = r.received as [Received];
      expect(got.headers[SIGNATURE_HEADER.toLowerCase()]).toBeUndefined();
      expect(JSON.parse(got.body)).toEqual({
        text: payload.summary,
        mirror: 'debian',
        error: 'rsync exited with 23 "quoted"',
      });
      expect(got.body).toBe(renderWebhookTemplate(template, payload));
    } finally {
      await r.close();
    }
  });

  test('a non-2xx answer and a refused connection are delivery failures with the reason', async () => {
    const r = await receiver([503]);
    const sink = new WebhookSink({ kind: 'webhook', url: r.url, timeoutMs: 5000 });
    try {
      const err = await sink.deliver(payload).catch((e: unknown) => e);
      expect(isAlertError(err)).toBe(true);
      expect((err as Error).message).toMatch(/^webhook http:\/\/127\.0\.0\.1:\d+: HTTP 503: busy$/);
    } finally {
      await r.close();
    }
    await expect(sink.deliver(payload)).rejects.toThrow(/ECONNREFUSED/);
  });
});

test('webhook: a receiver that never answers is a failure after webhook_timeout', async () => {
  const { createServer } = await import('node:http');
  const sockets: Array<{ destroy(): void }> = [];
  const server = createServer(() => undefined);
  server.on('connection', (socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    await expect(
      new WebhookSink({ kind: 'webhook', url, timeoutMs: 300 }).deliver(payload),
    ).rejects.toThrow(/^webhook http:\/\/127\.0\.0\.1:\d+: no answer within 0\.3 s$/);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

describe('exec sink', () => {
  test('runs the command without a shell, the payload on stdin and TUNASYNC_* set', async () => {
    const dir = await dirs.make('alerts-exec-');
    const out = join(dir, 'stdin.json');
    const env = join(dir, 'env.txt');
    const script =
      `const fs=require('fs');fs.writeFileSync(${JSON.stringify(out)},fs.readFileSync(0));` +
      `fs.writeFileSync(${JSON.stringify(env)},[process.env.TUNASYNC_EVENT,process.env.TUNASYNC_MIRROR,` +
      `process.env.TUNASYNC_WORKER,process.env.TUNASYNC_ALERT_RULE,process.argv[1]].join('\\n'))`;
    await new ExecSink([process.execPath, '-e', script, '$HOME;*']).deliver(payload);
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(payload);
    expect((await readFile(env, 'utf8')).split('\n')).toEqual([
      'failed',
      'debian',
      'w1',
      'ops',
      '$HOME;*',
    ]);
  });

  test('a non-zero exit fails with the code and the end of stderr; a missing command too', async () => {
    const sink = new ExecSink([
      process.execPath,
      '-e',
      'console.error("no route"); process.exit(3)',
    ]);
    await expect(sink.deliver(payload)).rejects.toThrow(/exit code 3: no route$/);
    await expect(new ExecSink(['/nonexistent/notify']).deliver(payload)).rejects.toThrow(
      /exec \/nonexistent\/notify: .*ENOENT/,
    );
  });
});

describe('email sink', () => {
  test('sends through a real SMTP server with STARTTLS and login', async () => {
    const dir = await dirs.make('alerts-smtp-');
    const tls = await makeTlsCertificate(dir);
    const mails: Array<{
      from: string;
      to: string[];
      data: string;
      secure: boolean;
      user: string;
    }> = [];
    const server = new SMTPServer({
      key: tls.key,
      cert: tls.cert,
      secure: false,
      authMethods: ['PLAIN', 'LOGIN'],
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username === 'alerts' && auth.password === 'p@ss word') {
          callback(null, { user: auth.username });
        } else callback(new Error('bad login'));
      },
      onData(stream, session, callback) {
        let data = '';
        stream.setEncoding('utf8');
        stream.on('data', (c: string) => (data += c));
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((r) => r.address),
            data,
            secure: session.secure,
            user: String(session.user),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as AddressInfo).port;
    try {
      const config = {
        kind: 'email' as const,
        to: ['ops@example.org', 'oncall@example.org'],
        from: 'tunasync@example.org',
        smtpUrl: `smtp://alerts:${encodeURIComponent('p@ss word')}@localhost:${port}`,
      };
      const sink = new EmailSink(config, { ca: tls.caCert });
      await sink.deliver(payload);
      await sink.close();
      expect(mails).toHaveLength(1);
      const [mail] = mails as [(typeof mails)[number]];
      expect(mail).toMatchObject({
        from: 'tunasync@example.org',
        to: ['ops@example.org', 'oncall@example.org'],
        secure: true,
        user: 'alerts',
      });
      expect(mail.data).toMatch(/^Subject: \[tunasync\] \[debian\] @<w1> failed/m);
      expect(mail.data).toContain('"consecutive_failures": 2');

      const wrong = new EmailSink(
        { ...config, smtpUrl: `smtp://alerts:nope@localhost:${port}` },
        { ca: tls.caCert },
      );
      await expect(wrong.deliver(payload)).rejects.toThrow(
        /^email via smtp:\/\/localhost:\d+: .*bad login/,
      );
      await wrong.close();
      // Without the CA the server's certificate is not trusted: nothing is sent in clear.
      const untrusted = new EmailSink(config);
      await expect(untrusted.deliver(payload)).rejects.toThrow(/certificate/);
      await untrusted.close();
      expect(mails).toHaveLength(1);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('smtps:// is TLS from the first byte', async () => {
    const dir = await dirs.make('alerts-smtps-');
    const tls = await makeTlsCertificate(dir);
    const seen: Array<{ secure: boolean; to: string[] }> = [];
    const server = new SMTPServer({
      key: tls.key,
      cert: tls.cert,
      secure: true,
      authOptional: true,
      logger: false,
      onData(stream, session, callback) {
        stream.resume();
        stream.on('end', () => {
          seen.push({ secure: session.secure, to: session.envelope.rcptTo.map((r) => r.address) });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as AddressInfo).port;
    try {
      const sink = new EmailSink(
        {
          kind: 'email',
          to: ['ops@example.org'],
          from: 'a@example.org',
          smtpUrl: `smtps://localhost:${port}`,
        },
        { ca: tls.caCert },
      );
      await sink.deliver(payload);
      await sink.close();
      expect(seen).toEqual([{ secure: true, to: ['ops@example.org'] }]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

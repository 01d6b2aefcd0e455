import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireTool } from './require-tool';

const run = promisify(execFile);

/** Files (and their PEM text) of a test CA and a server certificate it signed. */
export interface TlsCertificate {
  caCertFile: string;
  certFile: string;
  keyFile: string;
  caCert: string;
  cert: string;
  key: string;
}

/**
 * Makes, in `dir`, a throw-away CA and a certificate for `localhost` and `127.0.0.1`
 * signed by it, with the real `openssl` (a missing `openssl` fails with how to install it).
 */
export async function makeTlsCertificate(dir: string): Promise<TlsCertificate> {
  const openssl = requireTool('openssl', 'apt-get install -y openssl');
  const f = (name: string) => join(dir, name);
  await run(openssl, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=tunasync test CA',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
  ]);
  await run(openssl, [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    f('server.key'),
    '-out',
    f('server.csr'),
  ]);
  await writeFile(f('server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  await run(openssl, [
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    f('server.ext'),
    '-out',
    f('server.crt'),
  ]);
  return {
    caCertFile: f('ca.crt'),
    certFile: f('server.crt'),
    keyFile: f('server.key'),
    caCert: await readFile(f('ca.crt'), 'utf8'),
    cert: await readFile(f('server.crt'), 'utf8'),
    key: await readFile(f('server.key'), 'utf8'),
  };
}

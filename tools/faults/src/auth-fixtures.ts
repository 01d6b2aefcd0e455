import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { workerConfText } from '@tunasync/test-utils';

/** A fresh random token, recognisable in a failure message by its label. */
export function randomToken(label: string): string {
  return `${label}-${randomBytes(16).toString('base64url')}`;
}

/** The line of a manager tokens file for `token` (what `tunasynctl token create` prints). */
export function tokenLine(name: string, token: string): string {
  return `${name} sha256:${createHash('sha256').update(token).digest('hex')}\n`;
}

/** One HTTP answer, whole. */
export interface Answer {
  status: number;
  /** Every header, one `name: value` a line, then the body. */
  text: string;
  body: string;
}

/** One request with an optional bearer token; the answer is read whole. */
export async function send(
  url: string,
  method: string,
  body?: unknown,
  token?: string,
): Promise<Answer> {
  const response = await fetch(url, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  const headers = [...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n');
  return { status: response.status, text: `${headers}\n\n${text}`, body: text };
}

/** How many times `pattern` occurs in `text`. */
export function occurrences(text: string, pattern: RegExp): number {
  return (text.match(new RegExp(pattern.source, 'g')) ?? []).length;
}

/** Every process's command line now (`/proc/<pid>/cmdline`, arguments joined by spaces). */
export async function processCommandLines(): Promise<Array<{ pid: number; cmdline: string }>> {
  const out: Array<{ pid: number; cmdline: string }> = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const raw = await readFile(`/proc/${entry}/cmdline`);
      out.push({ pid: Number(entry), cmdline: raw.toString('utf8').split('\0').join(' ') });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

export interface WorkerConfOptions {
  name: string;
  managerUrl: string;
  token: string;
  /** Holds `log/` and `mirror/`. */
  dir: string;
  /** `[[mirrors]]` tables. */
  mirrors: string;
  global?: string;
}

/**
 * A worker.conf on loopback with a control server on a free port (test-utils'
 * `workerConfText`): 4 concurrent runs, a daily interval, mirrors in `mirror/`.
 */
export function workerConf(o: WorkerConfOptions): string {
  return workerConfText(o.dir, {
    name: o.name,
    managers: [o.managerUrl],
    token: o.token,
    mirrors: o.mirrors,
    concurrent: 4,
    interval: 1440,
    mirrorDir: 'mirror',
    global: o.global,
  });
}

/** A `command` mirror. */
export function commandMirror(
  name: string,
  command: string,
  upstream = 'https://example.org/',
): string {
  return `[[mirrors]]
name = "${name}"
provider = "command"
upstream = ${JSON.stringify(upstream)}
command = ${JSON.stringify(command)}
`;
}

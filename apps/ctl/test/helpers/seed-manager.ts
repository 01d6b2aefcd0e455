import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/*
 * Seeding a real manager through its own HTTP API, as workers do: register (POST /workers)
 * and report statuses (POST /workers/:id/jobs/:job); over HTTPS with the test CA when given.
 */

export interface SeedOptions {
  token?: string;
  /** PEM of the CA of an HTTPS manager. */
  ca?: string;
}

function call(
  method: string,
  url: string,
  body: unknown,
  options: SeedOptions = {},
): Promise<unknown> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, headers, agent: false, ...(options.ca === undefined ? {} : { ca: options.ca }) },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) {
            reject(new Error(`${method} ${url}: ${status} ${text}`));
            return;
          }
          resolve(JSON.parse(text) as unknown);
        });
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

export function registerWorker(
  manager: string,
  id: string,
  controlUrl: string,
  options?: SeedOptions,
): Promise<unknown> {
  return call('POST', `${manager}/workers`, { id, url: controlUrl }, options);
}

export function reportStatus(
  manager: string,
  worker: string,
  name: string,
  fields: {
    status: string;
    upstream?: string;
    size?: string;
    is_master?: boolean;
    error_msg?: string;
  },
  options?: SeedOptions,
): Promise<unknown> {
  return call(
    'POST',
    `${manager}/workers/${worker}/jobs/${name}`,
    {
      name,
      worker,
      is_master: fields.is_master ?? true,
      status: fields.status,
      upstream: fields.upstream ?? `rsync://upstream.example.org/${name}/`,
      size: fields.size ?? 'unknown',
      error_msg: fields.error_msg ?? '',
    },
    options,
  );
}

/** POST the live progress of a syncing mirror, as a tunasync-ts worker does (SPEC §7.9). */
export function reportProgress(
  manager: string,
  worker: string,
  name: string,
  files: number,
  bytes: number,
  options?: SeedOptions,
): Promise<unknown> {
  return call(
    'POST',
    `${manager}/workers/${worker}/jobs/${name}/progress`,
    { name, files, bytes },
    options,
  );
}

/** GET a JSON route of the manager (the expected value of a `list`/`workers`). */
export function getJson(manager: string, path: string, options?: SeedOptions): Promise<unknown> {
  return call('GET', `${manager}${path}`, undefined, options);
}

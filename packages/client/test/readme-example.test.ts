import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startManagerProcess } from '@tunasync/test-utils';
import type { ManagerProcess } from '@tunasync/test-utils';
import { ManagerClient, ManagerHttpError } from '../src';

/*
 * The README's example for embedders, run against the real manager. The code between the
 * `example` markers is the README's block, byte for byte (the first test checks it), with
 * `../src` for '@tunasync/client'.
 */

let manager: ManagerProcess;

beforeAll(async () => {
  manager = await startManagerProcess({ config: '[server]\ntoken = "s3cret"' });
});

afterAll(async () => {
  await manager?.stop();
});

/** The lines of this file between the markers, and of the README's ```ts block after them. */
function blocks(): { here: string; readme: string } {
  const own = readFileSync(__filename, 'utf8');
  const here = own.split('// example:start\n')[1]?.split('    // example:end')[0] ?? '';
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const block = readme.split('<!-- example: test/readme-example.test.ts -->\n```ts\n')[1];
  return {
    here: here.replace(/^ {4}/gm, ''),
    readme: block?.split('```')[0] ?? '',
  };
}

it('is the example of the README', () => {
  const { here, readme } = blocks();
  expect(here).not.toBe('');
  expect(readme).toBe(
    here.replace(
      "// import { ManagerClient, ManagerHttpError } from '../src';",
      "import { ManagerClient, ManagerHttpError } from '@tunasync/client';",
    ),
  );
});

it('registers a worker, reports a mirror and reads it back', async () => {
  const baseUrl = manager.url;
  const logged: string[] = [];
  const print = (line: string) => logged.push(line);
  const result = await (async () => {
    // example:start
    // import { ManagerClient, ManagerHttpError } from '../src';
    // (`baseUrl`: the manager's URL, e.g. http://127.0.0.1:14242; `print`: your output)
    const client = new ManagerClient({ baseUrl, token: 's3cret', timeoutMs: 5000 });
    try {
      await client.call('registerWorker', { body: { id: 'w1', url: 'http://127.0.0.1:6000/' } });
      await client.call('reportStatus', {
        params: { id: 'w1', job: 'debian' },
        body: {
          name: 'debian',
          worker: 'w1',
          is_master: true,
          status: 'success',
          upstream: 'rsync://ftp.example.org/debian/',
          size: '1.2T',
          last_update: '2026-01-02T03:04:05Z',
          last_started: '2026-01-02T03:00:00Z',
          last_ended: '2026-01-02T03:04:05Z',
          next_schedule: '2026-01-02T04:00:00Z',
          error_msg: '',
        },
      });
      const jobs = await client.call('listWorkerJobs', { params: { id: 'w1' } });
      print(jobs.map((job) => `${job.name} ${job.status} ${job.size}`).join('\n'));
      await client.call('listWorkerJobs', { params: { id: 'nobody' } });
    } catch (err) {
      if (!(err instanceof ManagerHttpError)) throw err;
      print(`${err.status}: ${err.reason}`); // 400: invalid workerID nobody…
    } finally {
      await client.close();
    }
    // example:end
    return logged;
  })();
  expect(result[0]).toBe('debian success 1.2T');
  expect(result[1]).toMatch(/^400: invalid workerID nobody/);
});

import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  MANAGER_BIN,
  TempDirs,
  findFreePort,
  startManagerProcess,
  startWorkerProcess,
} from '@tunasync/test-utils';
import type { ManagerProcess, WorkerProcess } from '@tunasync/test-utils';

/*
 * Alerts (issue #17) through real processes: a built manager with [[alerts]] rules, a built
 * worker running a mirror that fails three times and then succeeds, a loopback webhook
 * receiver and an exec sink writing its stdin to a file; and a manager killed with -9
 * while an alert is stored but not yet delivered.
 */

const dirs = new TempDirs();
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});
afterAll(() => dirs.cleanup());

interface AlertBody {
  version: number;
  id: string;
  rule: string;
  kind: string;
  events: Array<{ event: string; mirror?: string; consecutive_failures?: number }>;
}

async function receiver(port = 0) {
  const bodies: AlertBody[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      bodies.push(JSON.parse(body) as AlertBody);
      res.setHeader('Connection', 'close');
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as { port: number }).port;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${bound}/hook`, bodies };
}

/** What the processes said, for a failure message. */
let debug: () => string = () => '';

async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await Promise.resolve(check()).catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${debug()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return (await res.json()) as unknown;
}

async function postJson(url: string, body: unknown): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  await res.arrayBuffer();
  return res.status;
}

interface AlertsAnswer {
  rules: string[];
  alerts: Array<{ id: string; rule: string; event: string; state: string; attempts: number }>;
}

interface Run {
  result: string;
}

test('a mirror failing three times then succeeding: exactly the configured failed, one recovered', async () => {
  const dir = await dirs.make('alerts-e2e-');
  const hook = await receiver();
  const execOut = join(dir, 'exec.jsonl');
  const script = `const fs=require('fs');fs.appendFileSync(${JSON.stringify(execOut)},fs.readFileSync(0))`;
  const manager: ManagerProcess = await startManagerProcess({
    config: `
[[alerts]]
name = "hook"
events = ["failed", "recovered"]
mirrors = ["flaky*"]
after_failures = 2
webhook = "${hook.url}"
webhook_secret = "s3cret"

[[alerts]]
name = "script"
events = ["failed", "recovered"]
exec = [${JSON.stringify(process.execPath)}, "-e", ${JSON.stringify(script)}]
`,
  });
  cleanups.push(() => manager.stop());

  const counter = join(dir, 'runs');
  const conf = join(dir, 'worker.conf');
  await writeFile(
    conf,
    `[global]
name = "w1"
log_dir = "${join(dir, 'log')}/{{.Name}}"
mirror_dir = "${join(dir, 'data')}"
concurrent = 2
interval = 600
retry = 1

[manager]
api_base_list = ["${manager.url}"]

[server]
hostname = "127.0.0.1"
listen_addr = "127.0.0.1"
listen_port = 0

[[mirrors]]
name = "flaky"
provider = "command"
upstream = "https://example.org/flaky/"
command = ${JSON.stringify(`sh -c 'n=$(cat ${counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${counter}; [ $n -gt 3 ]'`)}
`,
  );
  const worker: WorkerProcess = await startWorkerProcess({
    configFile: conf,
    stateDir: join(dir, 'state'),
  });
  cleanups.push(() => worker.stop());
  debug = () =>
    `\n--- worker:\n${worker.output().slice(-3000)}\n--- manager:\n${manager.output().slice(-3000)}`;

  for (let run = 1; run <= 4; run += 1) {
    // The manager's run history: one record per finished run, newest first.
    const [latest] = await waitFor(`run ${run} to finish`, async () => {
      const runs = (await getJson(`${manager.url}/workers/w1/jobs/flaky/history`)) as Run[];
      return runs.length === run ? runs : undefined;
    });
    expect(latest?.result).toBe(run <= 3 ? 'failed' : 'success');
    if (run < 4) {
      expect(
        await postJson(`${manager.url}/cmd`, {
          cmd: 'start',
          worker_id: 'w1',
          mirror_id: 'flaky',
          args: [],
          options: {},
        }),
      ).toBe(200);
    }
  }

  const answer = await waitFor('the four alerts to be sent', async () => {
    const a = (await getJson(`${manager.url}/alerts`)) as AlertsAnswer;
    return a.alerts.length === 4 && a.alerts.every((x) => x.state === 'sent') ? a : undefined;
  });
  expect(answer.rules).toEqual(['hook', 'script']);
  const summary = (bodies: AlertBody[]) =>
    bodies
      .map((b) => `${b.rule}:${b.events[0]?.event}:${b.events[0]?.consecutive_failures}`)
      .sort();
  expect(summary(hook.bodies)).toEqual(['hook:failed:2', 'hook:recovered:3']);
  const execBodies = (await readFile(execOut, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as AlertBody);
  expect(summary(execBodies)).toEqual(['script:failed:1', 'script:recovered:3']);
  expect(answer.alerts.map((a) => `${a.rule}:${a.event}`).sort()).toEqual([
    'hook:failed',
    'hook:recovered',
    'script:failed',
    'script:recovered',
  ]);
}, 90_000);

test('kill -9 between storing and sending: delivered exactly once after the restart', async () => {
  const dbDir = join(await dirs.make('alerts-kill-'), 'db');
  const port = await findFreePort();
  const config = `
[[alerts]]
name = "ops"
events = ["failed"]
webhook = "http://127.0.0.1:${port}/hook"
`;
  const first = await startManagerProcess({ config, dbDir });
  cleanups.push(() => first.stop());
  const worker = {
    id: 'w1',
    url: 'http://127.0.0.1:9/',
    token: '',
    last_online: '2000-01-01T00:00:00Z',
    last_register: '2000-01-01T00:00:00Z',
  };
  expect(await postJson(`${first.url}/workers`, worker)).toBe(200);
  const report = (status: string) => ({
    name: 'debian',
    worker: 'w1',
    is_master: true,
    status,
    last_update: '2000-01-01T00:00:00Z',
    last_started: '2000-01-01T00:00:00Z',
    last_ended: '2000-01-01T00:00:00Z',
    next_schedule: '2000-01-01T00:00:00Z',
    upstream: 'rsync://127.0.0.1/x/',
    size: 'unknown',
    error_msg: 'rsync exited with 23',
  });
  expect(await postJson(`${first.url}/workers/w1/jobs/debian`, report('syncing'))).toBe(200);
  expect(await postJson(`${first.url}/workers/w1/jobs/debian`, report('failed'))).toBe(200);
  // Stored, one attempt failed (nothing listens yet), the next one waits for its back-off.
  const pending = await waitFor('the alert to be stored and tried', async () => {
    const a = (await getJson(`${first.url}/alerts`)) as AlertsAnswer;
    const [alert] = a.alerts;
    return alert?.state === 'pending' && alert.attempts === 1 ? alert : undefined;
  });
  first.child.kill('SIGKILL');
  await new Promise((resolve) => first.child.once('exit', resolve));

  const hook = await receiver(port);
  const second = await startManagerProcess({ config, dbDir });
  cleanups.push(() => second.stop());
  const sent = await waitFor('the alert to be sent after the restart', async () => {
    const a = (await getJson(`${second.url}/alerts`)) as AlertsAnswer;
    return a.alerts[0]?.state === 'sent' ? a.alerts[0] : undefined;
  });
  expect(sent).toMatchObject({ id: pending.id, attempts: 2 });
  expect(hook.bodies.map((b) => [b.id, b.events[0]?.event, b.events[0]?.mirror])).toEqual([
    [pending.id, 'failed', 'debian'],
  ]);
}, 90_000);

test('the [[alerts]] example of examples/manager.conf, switched on, passes --check-config --strict', async () => {
  const { execFile } = await import('node:child_process');
  const example = await readFile(
    join(__dirname, '..', '..', '..', 'examples', 'manager.conf'),
    'utf8',
  );
  const block = /^# BEGIN alerts example\n([\s\S]*?)^# END alerts example$/m.exec(example)?.[1];
  expect(block).toBeDefined();
  const rules = (block as string).replace(/^#( |$)/gm, '');
  expect(rules.match(/^\[\[alerts\]\]$/gm)).toHaveLength(3);
  const dir = await dirs.make('alerts-example-');
  const file = join(dir, 'manager.conf');
  await writeFile(file, `[files]\ndb_file = ${JSON.stringify(join(dir, 'db'))}\n\n${rules}`);
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [MANAGER_BIN, '--check-config', file, '--strict'],
      (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
  expect(result).toEqual({
    code: 0,
    stdout: expect.stringMatching(new RegExp(`${file}: OK, 0 warning\\(s\\)\\n$`)),
    stderr: '',
  });
  // One mistake in it is reported with the file, the rule and the key.
  await writeFile(
    file,
    `[files]\ndb_file = ${JSON.stringify(join(dir, 'db'))}\n\n${rules.replace('https://hooks', 'ftp://hooks')}`,
  );
  const bad = await new Promise<string>((resolve) => {
    execFile(
      process.execPath,
      [MANAGER_BIN, '--check-config', file, '--strict'],
      (_err, _stdout, stderr) => resolve(stderr),
    );
  });
  expect(bad).toContain(
    `${file}:10:alerts[chat].webhook: must start with http:// or https:// (got ftp://)`,
  );
});

// Shared by the benchmarks that run the built worker (worker-overhead.js, soak.js): its
// worker.conf and the child process. Not a benchmark itself.
'use strict';

const { spawn } = require('node:child_process');
const { writeFile } = require('node:fs/promises');
const { join } = require('node:path');

const WORKER_BIN = join(__dirname, '..', 'apps', 'worker', 'bin', 'tunasync-worker.js');

/**
 * Writes `<dir>/worker.conf` for a worker on loopback reporting to `managerUrl`, with logs and
 * mirrors under `dir`, and starts the built `tunasync-worker` on it. `mirrors` is TOML text of
 * `[[mirrors]]` tables. Resolves with `{ child, log(), stop() }`; `stop()` sends SIGTERM and
 * waits for the exit.
 */
async function startWorker({ dir, name, managerUrl, concurrent, mirrors }) {
  const conf = join(dir, 'worker.conf');
  await writeFile(
    conf,
    `[global]
name = "${name}"
log_dir = "${join(dir, 'log')}/{{.Name}}"
mirror_dir = "${join(dir, 'mirrors')}"
concurrent = ${concurrent}
interval = 1440
retry = 1

[manager]
api_base = "${managerUrl}"

[server]
hostname = "127.0.0.1"
listen_addr = "127.0.0.1"
listen_port = 0

${mirrors}`,
  );
  const child = spawn(
    process.execPath,
    [WORKER_BIN, '--config', conf, '--state-dir', join(dir, 'state')],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let log = '';
  child.stderr.on('data', (d) => (log = (log + d).slice(-20_000)));
  return {
    child,
    log: () => log,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** POST /cmd to the manager as tunasynctl sends it; throws on a non-2xx answer. */
async function sendCommand(managerUrl, cmd, mirror, worker) {
  const res = await fetch(`${managerUrl}/cmd`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ cmd, mirror_id: mirror, worker_id: worker }),
  });
  if (!res.ok) throw new Error(`${cmd} ${mirror}: ${res.status} ${await res.text()}`);
}

/** The worker's statuses as the manager stores them (`[]` while it does not know it). */
async function workerStatuses(managerUrl, worker) {
  const res = await fetch(`${managerUrl}/workers/${worker}/jobs`);
  return res.ok ? res.json() : [];
}

module.exports = { startWorker, sendCommand, workerStatuses };

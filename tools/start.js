#!/usr/bin/env node
// @ts-check
// `npm start`: the whole system on this machine, in one command. Builds what is missing,
// then starts on 127.0.0.1 a manager and a worker with the embedded demo configuration
// (tools/demo/demo-config.js), syncing two demo mirrors: an rsync mirror of a small tree
// served by a real `rsync --daemon` (when rsync is installed) and a `command` mirror.
// State, logs and the mirrored trees go to .tunasync-demo/ (git-ignored), wiped at each
// start and kept after the stop so they can be looked at. Ctrl-C (SIGINT), SIGTERM or
// SIGHUP stop everything — worker first, then the rsync daemon, then the manager — and
// exit 0 when everything stopped in time.
'use strict';

const { spawn } = require('node:child_process');
const {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  accessSync,
  constants,
} = require('node:fs');
const { get } = require('node:http');
const { delimiter, join, resolve, relative, isAbsolute } = require('node:path');
const { parseArgs } = require('node:util');
const { DaemonProcess } = require('./demo/daemon-process');
const { managerConf, workerConf } = require('./demo/demo-config');
const { startRsyncDaemon, writeUpstreamTree } = require('./demo/rsync-upstream');

const ROOT = resolve(__dirname, '..');
const APPS = {
  manager: join(ROOT, 'apps', 'manager', 'bin', 'tunasync-manager.js'),
  worker: join(ROOT, 'apps', 'worker', 'bin', 'tunasync-worker.js'),
  ctl: join(ROOT, 'apps', 'ctl', 'bin', 'tunasynctl.js'),
};
const PROJECTS = ['@tunasync/manager', '@tunasync/worker', '@tunasync/ctl'];
const MARKER = '.tunasync-demo';
const WORKER_NAME = 'demo-worker';
const POLL_MS = 500;

const USAGE = `Usage: npm start [-- options]   (or: node tools/start.js [options])

Starts a tunasync manager and worker on 127.0.0.1 that sync two demo mirrors
(an rsync mirror of a local rsync daemon, and a command mirror). Ctrl-C stops everything.

Options:
  --state-dir DIR  where state, logs and mirrors go (default: .tunasync-demo in the
                   repository; also TUNASYNC_DEMO_DIR). Wiped at start.
  --no-build       do not run the (cached) build first; the apps must be built already
  -h, --help       print this help
`;

/** Thrown by `until()` once a stop was asked for. */
class Stopped extends Error {}

/** @param {string} text */
function say(text) {
  process.stdout.write(`${text}\n`);
}

/** @param {string} file */
function shown(file) {
  const rel = relative(process.cwd(), file);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

/**
 * @param {string} name
 * @returns {string | undefined}
 */
function findExecutable(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * GET a JSON document (no keep-alive, so nothing stays open at exit).
 * @param {string} url
 * @returns {Promise<unknown>}
 */
function getJson(url) {
  return new Promise((done, fail) => {
    const request = get(url, { agent: false, timeout: 2000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => {
        if (response.statusCode !== 200)
          return fail(new Error(`${url}: HTTP ${response.statusCode}`));
        try {
          done(JSON.parse(body));
        } catch (err) {
          fail(err);
        }
      });
    });
    request.on('timeout', () => request.destroy(new Error(`${url}: no answer within 2 s`)));
    request.on('error', fail);
  });
}

/**
 * The state directory is wiped at start: refuse to wipe anything that is not ours.
 * @param {string} dir
 */
function prepareStateDir(dir) {
  if (existsSync(dir)) {
    const entries = readdirSync(dir);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new Error(
        `${dir} exists and is not a demo state directory (no ${MARKER} file in it): not wiping it; choose another --state-dir`,
      );
    }
    const pidFile = join(dir, 'demo.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new Error(
          `another demo (pid ${pid}) is running with ${dir}; stop it first (kill -INT ${pid})`,
        );
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, MARKER),
    'State of the tunasync demo (npm start). Wiped at each start; safe to delete.\n',
  );
  writeFileSync(join(dir, 'demo.pid'), `${process.pid}\n`);
}

/** @param {number} pid */
function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs the cached Nx build of the three apps (and, through Nx, the libraries they use).
 * @param {(child: import('node:child_process').ChildProcess) => void} onChild
 * @returns {Promise<void>}
 */
function build(onChild) {
  let nx;
  try {
    nx = require.resolve('nx/bin/nx.js', { paths: [ROOT] });
  } catch {
    return Promise.reject(new Error('Nx is not installed: run `npm ci` first'));
  }
  say('Building the apps (cached; a first build takes about half a minute)...');
  const began = Date.now();
  const child = spawn(
    process.execPath,
    [nx, 'run-many', '-t', 'build', '-p', ...PROJECTS, '--output-style=static'],
    // No Nx daemon: it would outlive the demo, and Ctrl-C must leave no process behind.
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NX_DAEMON: 'false', NX_ISOLATE_PLUGINS: 'false' },
    },
  );
  onChild(child);
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('close', (code, signal) => {
      if (code === 0) {
        const cached =
          /read the output from the cache instead of running the command for (\d+) out of (\d+) tasks/.exec(
            output,
          );
        const how = cached && cached[1] === cached[2] ? ', all from the cache' : '';
        say(`Built in ${((Date.now() - began) / 1000).toFixed(1)} s${how}.`);
        done();
      } else {
        process.stdout.write(output);
        fail(new Error(`the build failed (${signal ?? `exit status ${code}`}); see above`));
      }
    });
  });
}

function checkBuilt() {
  const missing = Object.entries(APPS)
    .filter(([, bin]) => !existsSync(join(bin, '..', '..', 'dist', 'cli.js')))
    .map(([name]) => name);
  if (missing.length > 0) {
    throw new Error(
      `not built: ${missing.join(', ')}; run \`npm run build\` (or npm start without --no-build)`,
    );
  }
}

/**
 * @typedef {{ name: string, status: string, size?: string }} Job
 */

/**
 * Prints each demo mirror's status when it changes, until a stop is asked for or a
 * daemon dies.
 * @param {{ url: string, names: string[], daemons: DaemonProcess[], stopped: () => boolean, startedAt: number }} options
 */
async function watchJobs({ url, names, daemons, stopped, startedAt }) {
  /** @type {Map<string, string>} */
  const last = new Map();
  let allDone = false;
  while (!stopped()) {
    const dead = daemons.find((d) => !d.running);
    if (dead) {
      throw new Error(
        `the ${dead.name} exited unexpectedly (${dead.exitStatus?.signal ?? `status ${dead.exitStatus?.code}`}); see ${shown(dead.logFile)}:\n${dead.output.trim().split('\n').slice(-10).join('\n')}`,
      );
    }
    try {
      const jobs = /** @type {Job[]} */ (await getJson(`${url}/jobs`));
      for (const job of jobs) {
        if (!names.includes(job.name) || last.get(job.name) === job.status) continue;
        last.set(job.name, job.status);
        const size = job.status === 'success' ? ` (size ${job.size})` : '';
        say(`  ${job.name.padEnd(14)} ${job.status}${size}`);
      }
      if (!allDone && names.every((n) => last.get(n) === 'success')) {
        allDone = true;
        const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
        say(`All ${names.length} demo mirrors are in sync (${seconds} s). Ctrl-C stops the demo.`);
      }
    } catch {
      // the manager is busy or restarting its listener: ask again at the next tick
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function main() {
  let flags;
  try {
    flags = parseArgs({
      args: process.argv.slice(2),
      options: {
        'state-dir': { type: 'string' },
        'no-build': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`start: ${/** @type {Error} */ (err).message}\n${USAGE}`);
    return 2;
  }
  if (flags.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const stateDir = resolve(
    flags['state-dir'] ?? process.env.TUNASYNC_DEMO_DIR ?? join(ROOT, '.tunasync-demo'),
  );

  // Signals: the first one stops the demo; a third one (the first may arrive twice, from
  // the terminal and from npm) gives up waiting and kills everything at once.
  let signals = 0;
  /** @type {() => void} */
  let requestStop = () => {};
  const stopAsked = new Promise((r) => (requestStop = () => r(undefined)));
  /** @type {DaemonProcess[]} */
  const started = [];
  /** @type {import('node:child_process').ChildProcess | undefined} */
  let builder;
  const onSignal = (/** @type {NodeJS.Signals} */ signal) => {
    signals++;
    if (signals === 1) {
      say(`\n${signal} received: stopping the demo (worker, rsync daemon, manager)...`);
      builder?.kill('SIGTERM');
      requestStop();
    } else if (signals >= 3) {
      say(`${signal} received again: killing everything now`);
      for (const d of started) d.killGroup('SIGKILL');
      builder?.kill('SIGKILL');
      process.exit(1);
    }
  };
  for (const signal of /** @type {NodeJS.Signals[]} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
    process.on(signal, onSignal);
  }
  const stopped = () => signals > 0;
  /**
   * @template T
   * @param {Promise<T>} promise
   * @returns {Promise<T>}
   */
  const until = (promise) =>
    Promise.race([
      promise,
      stopAsked.then(() => {
        throw new Stopped();
      }),
    ]);

  let exitCode = 0;
  let prepared = false;
  /** @type {DaemonProcess | undefined} */
  let manager;
  /** @type {DaemonProcess | undefined} */
  let worker;
  /** @type {DaemonProcess | undefined} */
  let rsyncd;
  try {
    if (!flags['no-build']) await until(build((child) => (builder = child)));
    builder = undefined;
    checkBuilt();
    if (stopped()) throw new Stopped();
    const startedAt = Date.now();

    prepareStateDir(stateDir);
    prepared = true;
    const upstreamDir = join(stateDir, 'upstream');
    writeUpstreamTree(upstreamDir);

    /** @type {string | undefined} */
    let rsyncUpstream;
    const rsync = findExecutable('rsync');
    if (rsync === undefined) {
      say(
        [
          'rsync is not installed: the demo runs its command mirror only.',
          'To see the rsync mirror too, install rsync and run npm start again:',
          '  Debian/Ubuntu: sudo apt-get install rsync     Fedora/RHEL: sudo dnf install rsync',
          '  Alpine: sudo apk add rsync                    macOS: brew install rsync',
        ].join('\n'),
      );
    } else {
      const rsyncDir = join(stateDir, 'rsyncd');
      mkdirSync(rsyncDir);
      // Not cut short by a stop (it takes well under a second): the daemon is then known
      // and stopped below.
      const upstream = await startRsyncDaemon({ rsync, dir: rsyncDir, treeDir: upstreamDir });
      rsyncd = upstream.daemon;
      started.push(rsyncd);
      rsyncUpstream = upstream.url;
      if (stopped()) throw new Stopped();
    }

    const managerFile = join(stateDir, 'manager.conf');
    writeFileSync(managerFile, managerConf({ stateDir }));
    manager = new DaemonProcess('manager', process.execPath, [APPS.manager, '-c', managerFile], {
      logFile: join(stateDir, 'manager.log'),
      cwd: stateDir,
    });
    started.push(manager);
    const [, url] = await until(manager.waitForOutput(/listening on (https?:\/\/[^\s]+)/, 20_000));
    const port = new URL(String(url)).port;

    const workerFile = join(stateDir, 'worker.conf');
    writeFileSync(
      workerFile,
      workerConf({
        stateDir,
        managerUrl: String(url),
        rsyncUpstream,
        commandScript: join(__dirname, 'demo', 'command-mirror.js'),
        nodePath: process.execPath,
      }),
    );
    worker = new DaemonProcess(
      'worker',
      process.execPath,
      [APPS.worker, '-c', workerFile, '--state-dir', join(stateDir, 'worker-state')],
      { logFile: join(stateDir, 'worker.log'), cwd: stateDir },
    );
    started.push(worker);

    const names = [...(rsyncUpstream ? ['demo-rsync'] : []), 'demo-command'];
    say(
      [
        '',
        'tunasync demo is running on 127.0.0.1 (Ctrl-C stops it):',
        `  manager:     ${url}`,
        `  status page: ${url}/`,
        `  jobs (JSON): ${url}/jobs`,
        `  workers:     ${url}/workers`,
        `  try:         npx tunasynctl list --all -m 127.0.0.1 -p ${port}`,
        `               npx tunasynctl start -w ${WORKER_NAME} demo-command -m 127.0.0.1 -p ${port}`,
        `  upstream:    ${rsyncUpstream ?? '(no rsync daemon: rsync is not installed)'}`,
        `  files:       ${shown(stateDir)}/ (manager.conf, worker.conf, manager.log, worker.log,`,
        '               mirrors/<mirror>/, log/<mirror>/latest)',
        '',
        `Mirrors (${names.join(', ')}):`,
      ].join('\n'),
    );
    await watchJobs({
      url: String(url),
      names,
      daemons: /** @type {DaemonProcess[]} */ ([manager, worker, rsyncd].filter(Boolean)),
      stopped,
      startedAt,
    });
  } catch (err) {
    if (!(err instanceof Stopped)) {
      process.stderr.write(`start: ${/** @type {Error} */ (err).message}\n`);
      exitCode = 1;
    }
  } finally {
    // A build cut short by a stop: wait for Nx to end (it got SIGTERM).
    if (builder && builder.exitCode === null && builder.signalCode === null) {
      const nx = builder;
      const killer = setTimeout(() => nx.kill('SIGKILL'), 10_000);
      await new Promise((r) => nx.once('exit', r));
      clearTimeout(killer);
    }
    // The worker first: it stops its syncs and sends their last status to the manager.
    /** @type {Array<[DaemonProcess | undefined, { group?: boolean, graceMs: number }]>} */
    const order = [
      [worker, { graceMs: 25_000 }],
      [rsyncd, { group: true, graceMs: 3_000 }],
      [manager, { graceMs: 15_000 }],
    ];
    for (const [daemon, options] of order) {
      if (!daemon) continue;
      const inTime = await daemon.stop(options);
      const status = daemon.exitStatus;
      const clean =
        inTime && (status?.code === 0 || status?.signal === 'SIGTERM' || daemon === rsyncd);
      if (!clean) {
        process.stderr.write(
          `start: the ${daemon.name} did not stop cleanly (${inTime ? `exit ${status?.signal ?? status?.code}` : 'killed after the grace time'}); see ${shown(daemon.logFile)}\n`,
        );
        exitCode = 1;
      }
    }
    if (prepared) {
      rmSync(join(stateDir, 'demo.pid'), { force: true });
      say(`Stopped. State and logs are kept in ${shown(stateDir)}/ until the next start.`);
    }
  }
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`start: unexpected failure: ${err?.stack ?? err}\n`);
    process.exit(1);
  },
);

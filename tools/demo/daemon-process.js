// @ts-check
// A long-running child of the demo (manager, worker, rsync daemon): started in its own
// process group, so a Ctrl-C in the terminal reaches only tools/start.js, which then stops
// the children one by one in the right order (the worker first, so it can still report to
// the manager). Output goes to a log file; lines can be watched while it starts.
'use strict';

const { spawn } = require('node:child_process');
const { createWriteStream } = require('node:fs');

/** Every daemon started and not yet known to be gone: killed if start.js exits anyway. */
const live = new Set();

process.on('exit', () => {
  for (const daemon of live) daemon.killGroup('SIGKILL');
});

class DaemonProcess {
  /**
   * @param {string} name
   * @param {string} command
   * @param {string[]} args
   * @param {{ logFile: string, cwd?: string, env?: NodeJS.ProcessEnv }} options
   */
  constructor(name, command, args, options) {
    this.name = name;
    this.logFile = options.logFile;
    this.output = '';
    /** @type {Array<(text: string) => void>} */
    this.watchers = [];
    const log = createWriteStream(options.logFile, { flags: 'a' });
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    /** @type {number} */
    this.pid = this.child.pid ?? -1;
    /** @type {Error | undefined} */
    this.spawnError = undefined;
    const onData = (/** @type {Buffer} */ chunk) => {
      log.write(chunk);
      // Keep only the last 64 KiB for error messages and start-up watching.
      this.output = (this.output + chunk.toString('utf8')).slice(-65536);
      for (const watch of this.watchers) watch(this.output);
    };
    this.child.stdout?.on('data', onData);
    this.child.stderr?.on('data', onData);
    /** @type {Promise<{ code: number | null, signal: NodeJS.Signals | null }>} */
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.spawnError = err;
        if (this.pid === -1) resolve({ code: null, signal: null });
      });
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
    }).then((result) => {
      live.delete(this);
      return /** @type {{ code: number | null, signal: NodeJS.Signals | null }} */ (result);
    });
    this.child.once('close', () => log.end());
    /** @type {{ code: number | null, signal: NodeJS.Signals | null } | undefined} */
    this.exitStatus = undefined;
    void this.exited.then((status) => (this.exitStatus = status));
    if (this.pid !== -1) live.add(this);
  }

  get running() {
    return this.pid !== -1 && this.exitStatus === undefined;
  }

  /** @param {NodeJS.Signals} signal */
  killGroup(signal) {
    if (this.pid === -1) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // nothing left in the group
    }
  }

  /**
   * Resolves with the first match of `pattern` in the output, or rejects when the process
   * exits first or `timeoutMs` passes.
   * @param {RegExp} pattern
   * @param {number} timeoutMs
   * @returns {Promise<RegExpExecArray>}
   */
  waitForOutput(pattern, timeoutMs) {
    return new Promise((resolve, reject) => {
      const done = (/** @type {(() => void)} */ settle) => {
        clearTimeout(timer);
        this.watchers = this.watchers.filter((w) => w !== watch);
        settle();
      };
      const watch = (/** @type {string} */ text) => {
        const match = pattern.exec(text);
        if (match) done(() => resolve(match));
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`${this.name} did not start within ${timeoutMs} ms`))),
        timeoutMs,
      );
      this.watchers.push(watch);
      watch(this.output);
      void this.exited.then(({ code, signal }) =>
        done(() =>
          reject(
            new Error(
              `${this.name} exited (${signal ?? `status ${code}`}) while starting` +
                (this.spawnError ? `: ${this.spawnError.message}` : ''),
            ),
          ),
        ),
      );
    });
  }

  /**
   * Send `signal` (to the main process, or to the whole group), wait up to `graceMs` for the
   * exit, then SIGKILL the group. Anything left in the group after the exit is killed too.
   * Resolves true when it stopped within the grace time.
   * @param {{ signal?: NodeJS.Signals, group?: boolean, graceMs: number }} options
   * @returns {Promise<boolean>}
   */
  async stop({ signal = 'SIGTERM', group = false, graceMs }) {
    if (this.pid === -1) return true;
    if (this.running) {
      if (group) this.killGroup(signal);
      else {
        try {
          process.kill(this.pid, signal);
        } catch {
          // already gone
        }
      }
    }
    /** @type {NodeJS.Timeout | undefined} */
    let timer;
    const inTime = await Promise.race([
      this.exited.then(() => true),
      new Promise((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
    ]);
    clearTimeout(timer);
    this.killGroup('SIGKILL');
    await this.exited;
    return /** @type {boolean} */ (inTime);
  }
}

module.exports = { DaemonProcess };

// @ts-check
// The embedded configuration of `npm start`: the text of the manager.conf, worker.conf and
// rsyncd.conf the demo writes into its state directory (so they can be read there while
// it runs). Everything listens on 127.0.0.1 only.
'use strict';

const { join } = require('node:path');

/**
 * A TOML basic string (JSON's escapes are a subset of TOML's).
 * @param {string} value
 */
function tomlString(value) {
  return JSON.stringify(value);
}

/**
 * A command line for the worker's `command` key: each word in single quotes (the worker
 * splits it like a shell, without running one).
 * @param {string[]} words
 */
function commandLine(words) {
  return words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
}

/**
 * @param {{ stateDir: string }} options
 * @returns {string}
 */
function managerConf({ stateDir }) {
  return [
    '# tunasync demo manager (written by tools/start.js; edits are lost at the next start)',
    '[server]',
    'addr = "127.0.0.1"',
    'port = 0 # any free port: the manager logs the one it got',
    '',
    '[files]',
    'db_type = "leveldb"',
    `db_file = ${tomlString(join(stateDir, 'manager.db'))}`,
    '',
  ].join('\n');
}

/** The `size_pattern` of the command mirror: its script prints `Total size: 12.3K`. */
const COMMAND_SIZE_PATTERN = '^Total size: ([0-9.]+[KMGTP]?)$';

/**
 * @param {{
 *   stateDir: string,
 *   managerUrl: string,
 *   rsyncUpstream?: string,
 *   commandScript: string,
 *   nodePath: string,
 * }} options
 * @returns {string}
 */
function workerConf({ stateDir, managerUrl, rsyncUpstream, commandScript, nodePath }) {
  const lines = [
    '# tunasync demo worker (written by tools/start.js; edits are lost at the next start)',
    '[global]',
    'name = "demo-worker"',
    `log_dir = ${tomlString(join(stateDir, 'log', '{{.Name}}'))}`,
    `mirror_dir = ${tomlString(join(stateDir, 'mirrors'))}`,
    'concurrent = 2',
    'interval = 1 # minutes: the demo mirrors sync again every minute',
    'retry = 1',
    '',
    '[manager]',
    `api_base = ${tomlString(managerUrl)}`,
    '',
    '[server]',
    'hostname = "127.0.0.1"',
    'listen_addr = "127.0.0.1"',
    'listen_port = 0 # any free port: the worker registers the one it got',
  ];
  if (rsyncUpstream !== undefined) {
    lines.push(
      '',
      '[[mirrors]]',
      'name = "demo-rsync"',
      'provider = "rsync"',
      `upstream = ${tomlString(rsyncUpstream)}`,
      'rsync_timeout = 30',
    );
  }
  lines.push(
    '',
    '[[mirrors]]',
    'name = "demo-command"',
    'provider = "command"',
    'upstream = "https://mirrors.example.org/demo/"',
    `command = ${tomlString(commandLine([nodePath, commandScript]))}`,
    `size_pattern = ${tomlString(COMMAND_SIZE_PATTERN)}`,
    'fail_on_match = "^ERROR"',
    '',
    '[mirrors.env]',
    'DEMO_FILES = "5"',
    '',
  );
  return lines.join('\n');
}

/**
 * rsyncd.conf of the demo upstream: one read-only module, no chroot, and — when started by
 * root — no switch to "nobody" (which could not read the state directory).
 * @param {{ dir: string, module: string, path: string }} options
 * @returns {string}
 */
function rsyncdConf({ dir, module, path }) {
  const lines = [
    '# tunasync demo upstream (written by tools/start.js)',
    'use chroot = no',
    'read only = yes',
    'reverse lookup = no',
    `log file = ${join(dir, 'rsyncd.log')}`,
  ];
  const uid = process.getuid?.();
  if (uid === 0) lines.push('uid = 0', `gid = ${process.getgid?.() ?? 0}`);
  lines.push('', `[${module}]`, `path = ${path}`, 'comment = tunasync demo upstream', '');
  return lines.join('\n');
}

module.exports = { managerConf, workerConf, rsyncdConf, commandLine, COMMAND_SIZE_PATTERN };

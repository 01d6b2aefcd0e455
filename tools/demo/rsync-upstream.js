// @ts-check
// The demo's rsync upstream: a small generated tree (a miniature package archive) served
// by a real `rsync --daemon` on 127.0.0.1, on a free port.
'use strict';

const { mkdirSync, readFileSync, symlinkSync, writeFileSync } = require('node:fs');
const { connect, createServer } = require('node:net');
const { join } = require('node:path');
const { DaemonProcess } = require('./daemon-process');
const { rsyncdConf } = require('./demo-config');

const MODULE = 'demo';

/**
 * Writes the upstream tree: a README, a few "packages" of different sizes in nested
 * directories, an index, and a symlink — about 200 KiB.
 * @param {string} dir
 */
function writeUpstreamTree(dir) {
  const files = {
    'README.txt': 'The tunasync demo upstream: a tiny archive served by rsync on 127.0.0.1.\n',
    'dists/stable/Release': 'Suite: stable\nComponents: main\n',
    'dists/stable/main/Packages': 'Package: hello\nVersion: 1.0\n\nPackage: world\nVersion: 2.1\n',
    'pool/main/h/hello/hello_1.0.tar': 'hello '.repeat(8 * 1024),
    'pool/main/w/world/world_2.1.tar': 'world '.repeat(16 * 1024),
    'pool/main/w/world/world_2.1.sig': 'not a real signature\n',
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  // Bigger binary-ish payload so the size is not trivial (deterministic bytes).
  const blob = Buffer.alloc(128 * 1024);
  for (let i = 0; i < blob.length; i++) blob[i] = (i * 31 + (i >> 8)) & 0xff;
  writeFileSync(join(dir, 'pool/main/h/hello/hello_1.0.bin'), blob);
  symlinkSync('dists/stable', join(dir, 'current'));
}

/** @returns {Promise<number>} a TCP port on 127.0.0.1 that was free a moment ago */
function findFreePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

/**
 * Resolves true once the port answers with the rsync greeting.
 * @param {number} port
 * @returns {Promise<boolean>}
 */
function greets(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    const done = (/** @type {boolean} */ ok) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 1000);
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      if (data.includes('\n')) done(data.startsWith('@RSYNCD:'));
    });
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
}

/** @param {string} file */
function readLog(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Starts `rsync --daemon --no-detach` serving `treeDir` as module `demo`, retrying on
 * another port when the chosen one was taken meanwhile.
 * @param {{ rsync: string, dir: string, treeDir: string, env?: NodeJS.ProcessEnv }} options
 * @returns {Promise<{ daemon: DaemonProcess, port: number, url: string }>}
 */
async function startRsyncDaemon({ rsync, dir, treeDir, env }) {
  const configFile = join(dir, 'rsyncd.conf');
  writeFileSync(configFile, rsyncdConf({ dir, module: MODULE, path: treeDir }));
  let lastOutput = '';
  for (let attempt = 1; attempt <= 5; attempt++) {
    const port = await findFreePort();
    const daemon = new DaemonProcess(
      'rsync daemon',
      rsync,
      [
        '--daemon',
        '--no-detach',
        `--config=${configFile}`,
        '--address=127.0.0.1',
        `--port=${port}`,
      ],
      { logFile: join(dir, 'rsyncd.out'), cwd: dir, env },
    );
    const deadline = Date.now() + 10_000;
    while (daemon.running && Date.now() < deadline) {
      if (await greets(port)) return { daemon, port, url: `rsync://127.0.0.1:${port}/${MODULE}/` };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    lastOutput = daemon.output + readLog(join(dir, 'rsyncd.log'));
    await daemon.stop({ group: true, graceMs: 2000 });
    if (daemon.spawnError) throw daemon.spawnError;
    if (!/in use/i.test(lastOutput)) break;
  }
  throw new Error(`the rsync daemon did not start: ${lastOutput.trim() || 'no output'}`);
}

module.exports = { writeUpstreamTree, startRsyncDaemon, findFreePort };
